-- The names of the persons who signed an application, as their
-- e-legitimation gave them at login (issue 16 item 11): the caseworker's
-- queue, case page and search show them, and the co-applicant is addressed
-- by name, not by personnummer. case_persons.name is the applicant's or the
-- co-applicant's name ('' when unknown: an application an API client
-- submitted without a person); name_key is the same name folded to lower
-- case with single spaces (skalig.NameKey), which the search by name
-- matches, since neither database folds å, ä and ö the same way.
-- draft_signatures.name keeps a signer's name until the draft is submitted.
-- Names are personal data: gallring deletes the rows of case_persons and
-- draft_signatures with the rest of a case.
-- +goose Up
ALTER TABLE case_persons ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE case_persons ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE draft_signatures ADD COLUMN name TEXT NOT NULL DEFAULT '';
