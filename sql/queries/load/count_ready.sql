SELECT count() FROM {{.Ready}}
