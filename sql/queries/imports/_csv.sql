{{/* How the engine reads a CSV file for the fast import (ingest/file,
     fast.go): exactly the fields encoding/csv gives the Go reader. The
     header, on the first line, is skipped; no trimming, no single
     quotes, no NULL, no guessing; an empty line or a malformed row is
     an error (the file is then read in Go). No parallel parsing: with
     it, _row_number is off by one in every chunk but the first (chDB
     26.5, checked on a 3 M-row file), and the row number is the line.
     Read with pread: a mapped file counts in the process's memory. */}}
{{define "csv_file"}}file({path:String}, 'CSV', {{.Structure}}){{end}}
{{define "csv_settings"}}SETTINGS input_format_csv_skip_first_lines = 1, format_csv_delimiter = ',', format_csv_allow_single_quotes = 0, format_csv_allow_double_quotes = 1, input_format_csv_trim_whitespaces = 0, input_format_csv_empty_as_default = 0, input_format_csv_detect_header = 0, input_format_csv_allow_variable_number_of_columns = 0, input_format_allow_errors_num = 0, input_format_allow_errors_ratio = 0, input_format_csv_allow_whitespace_or_tab_as_delimiter = 0, input_format_csv_allow_cr_end_of_line = 0, input_format_null_as_default = 0, input_format_csv_skip_trailing_empty_lines = 1, input_format_csv_use_default_on_bad_values = 0, input_format_skip_unknown_fields = 0, storage_file_read_method = 'pread', input_format_parallel_parsing = 0{{end}}
{{/* How large the stage's parts are: each block the views write is
     sorted and written as a part, and the stage does not merge them
     (csv_stop_stage_merges). Blocks of 128 Ki rows (32 MiB at most) keep
     the parts few (80 for 10 M rows) and the engine near 1.2 GiB on the
     national files; 256 Ki-row blocks were no faster and took it to
     1.6 GiB. */}}
{{define "csv_blocks"}}min_insert_block_size_rows = 131072, min_insert_block_size_bytes = 33554432, max_block_size = 32768{{end}}
