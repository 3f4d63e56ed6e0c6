-- Drop the pages of a source's finished or abandoned snapshot.
DELETE FROM sync_pending {{.OnCluster}} WHERE source = {source:String}
