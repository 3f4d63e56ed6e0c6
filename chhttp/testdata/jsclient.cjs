// Runs one query with ClickHouse's official JS client and prints what the
// client made of it as one JSON line: {"rows": N} or {"error": "...",
// "code": "..."}. Usage: node jsclient.cjs URL TOKEN QUERY [FORMAT]
const path = require('path');
const { createClient } = require(path.join(process.env.JSCLIENT_MODULES, '@clickhouse/client'));

async function main() {
  const [url, token, query, format] = process.argv.slice(2);
  const client = createClient({ url, username: 'analyst', password: token });
  let rows = 0;
  try {
    const rs = await client.query({ query, format: format || 'JSONEachRow' });
    for await (const batch of rs.stream()) {
      rows += batch.length;
    }
    console.log(JSON.stringify({ rows }));
  } catch (e) {
    console.log(JSON.stringify({ error: String(e.message || e), code: String(e.code || ''), rows }));
  } finally {
    await client.close();
  }
}
main();
