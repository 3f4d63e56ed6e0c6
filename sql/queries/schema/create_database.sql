-- Only `creditsync init` creates the database; Database is validated
-- (letters, digits, underscores) before it is rendered here.
CREATE DATABASE IF NOT EXISTS `{{.Database}}` {{.OnCluster}}
