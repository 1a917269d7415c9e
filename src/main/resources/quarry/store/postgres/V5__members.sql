-- Version 5: project membership. Annotators and reviewers see only the projects they belong to;
-- admins see all and manage membership. So that an upgrade locks nobody out, every token that
-- exists now belongs to every project that exists now.
CREATE TABLE members (
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  token_name TEXT NOT NULL REFERENCES tokens(name) ON DELETE CASCADE,
  added TEXT NOT NULL,
  PRIMARY KEY (project_id, token_name)
)
;
INSERT INTO members (project_id, token_name, added) SELECT p.id, t.name, t.created FROM projects p CROSS JOIN tokens t
  WHERE t.role <> 'admin'
