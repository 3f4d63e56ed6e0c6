// Runs one query with ClickHouse's official JS client and prints what the
// client made of it as one JSON line: {"rows": N, "first": [...]} or
// {"error": "...", "code": "..."}.
// Usage: node jsclient.cjs URL TOKEN QUERY [OPTIONS]
// OPTIONS is JSON: {"format", "compression": {"request", "response"},
// "query_params", "clickhouse_settings"}.
const path = require('path');
const { createClient } = require(path.join(process.env.JSCLIENT_MODULES, '@clickhouse/client'));

async function main() {
  const [url, token, query, optJSON] = process.argv.slice(2);
  const opt = (optJSON && JSON.parse(optJSON)) || {};
  const client = createClient({ url, username: 'analyst', password: token, compression: opt.compression });
  let rows = 0;
  const first = [];
  try {
    const rs = await client.query({
      query,
      format: opt.format || 'JSONEachRow',
      query_params: opt.query_params,
      clickhouse_settings: opt.clickhouse_settings,
    });
    for await (const batch of rs.stream()) {
      for (const row of batch) {
        if (first.length < 3) first.push(row.json());
        rows++;
      }
    }
    console.log(JSON.stringify({ rows, first }));
  } catch (e) {
    console.log(JSON.stringify({ error: String(e.message || e), code: String(e.code || ''), rows }));
  } finally {
    await client.close();
  }
}
main();
