-- The stage's parts are attached to the list as they are written, and
-- the list merges them in the background like any other; merging them in
-- the stage first, while the file is being read, took nearly a third of a
-- national import's time and did the list's work twice over. (Keys are
-- then counted by their hashes, load/count_stage_hashes.sql: counting in
-- key order reads every part at once.)
SYSTEM STOP MERGES {{.Stage}}
