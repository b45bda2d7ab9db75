package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"skalig"
	"skalig/internal/audit"
)

// ActionRegisterutdrag is the audit event of a registerutdrag (GDPR art.
// 15, internal/registerutdrag) made of a person's data: its payload names
// the person, how many cases it held, the format and the way it was asked
// for; gallring removes it with the rest of the person's data.
const ActionRegisterutdrag = "registerutdrag.produced"

// LogRegisterutdrag writes, in one transaction, a read of each of cases by
// actor through via (what "registerutdrag") and the event of the
// registerutdrag itself. The data is gathered only after this has
// committed: an extract that cannot be logged is not made.
func (s *CaseStore) LogRegisterutdrag(ctx context.Context, actor, via, channel string, pn skalig.PersonalNumber, cases []string, format string) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		now := s.db.now()
		read, _ := json.Marshal(map[string]string{"via": via, "what": "registerutdrag"})
		for _, id := range cases {
			if _, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionRead, CaseID: id, Data: read}); err != nil {
				return err
			}
		}
		data, err := json.Marshal(map[string]any{"personal_number": pn.Canonical(), "cases": len(cases), "format": format,
			"via": via, "channel": channel})
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionRegisterutdrag, Data: data})
		return err
	})
}
