package payments

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
)

// Namespaces of the ISO 20022 messages Skälig writes and reads.
const (
	NSPain001 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
	NSPain002 = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"
	NSCamt054 = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"
)

// Debtor is the municipality as the payer of a payment file: from the
// configuration (SKALIG_PAYMENT_*).
type Debtor struct {
	// Name is the municipality's name (InitgPty/Nm, Dbtr/Nm).
	Name string
	// OrgID identifies the municipality to its bank (InitgPty/Id): the
	// customer number the bank gave it, or its organisation number.
	OrgID string
	// IBAN is the account the payments are made from (DbtrAcct).
	IBAN string
	// BIC is the bank's BIC (DbtrAgt); empty writes NOTPROVIDED, which
	// Swedish banks accept for their own customers.
	BIC string
}

// pain.001.001.03: the parts of CustomerCreditTransferInitiationV03 Skälig
// writes, in schema order.
type pain001Document struct {
	XMLName xml.Name    `xml:"Document"`
	NS      string      `xml:"xmlns,attr"`
	Init    pain001Init `xml:"CstmrCdtTrfInitn"`
}

type pain001Init struct {
	GrpHdr pain001GroupHeader `xml:"GrpHdr"`
	PmtInf pain001PmtInf      `xml:"PmtInf"`
}

type pain001GroupHeader struct {
	MsgId    string `xml:"MsgId"`
	CreDtTm  string `xml:"CreDtTm"`
	NbOfTxs  int    `xml:"NbOfTxs"`
	CtrlSum  string `xml:"CtrlSum"`
	InitgPty party  `xml:"InitgPty"`
}

type party struct {
	Nm string   `xml:"Nm,omitempty"`
	Id *partyID `xml:"Id,omitempty"`
}

type partyID struct {
	OrgId struct {
		Othr struct {
			Id      string `xml:"Id"`
			SchmeNm struct {
				Cd string `xml:"Cd"`
			} `xml:"SchmeNm"`
		} `xml:"Othr"`
	} `xml:"OrgId"`
}

type pain001PmtInf struct {
	PmtInfId    string        `xml:"PmtInfId"`
	PmtMtd      string        `xml:"PmtMtd"`
	BtchBookg   bool          `xml:"BtchBookg"`
	NbOfTxs     int           `xml:"NbOfTxs"`
	CtrlSum     string        `xml:"CtrlSum"`
	ReqdExctnDt string        `xml:"ReqdExctnDt"`
	Dbtr        party         `xml:"Dbtr"`
	DbtrAcct    cashAccount   `xml:"DbtrAcct"`
	DbtrAgt     agent         `xml:"DbtrAgt"`
	ChrgBr      string        `xml:"ChrgBr"`
	Txs         []pain001CdTx `xml:"CdtTrfTxInf"`
}

type cashAccount struct {
	Id struct {
		IBAN string `xml:"IBAN,omitempty"`
		Othr *struct {
			Id      string `xml:"Id"`
			SchmeNm struct {
				Cd string `xml:"Cd"`
			} `xml:"SchmeNm"`
		} `xml:"Othr,omitempty"`
	} `xml:"Id"`
	Ccy string `xml:"Ccy,omitempty"`
}

type agent struct {
	FinInstnId struct {
		BIC         string `xml:"BIC,omitempty"`
		ClrSysMmbId *struct {
			ClrSysId struct {
				Cd string `xml:"Cd"`
			} `xml:"ClrSysId"`
			MmbId string `xml:"MmbId"`
		} `xml:"ClrSysMmbId,omitempty"`
		Othr *struct {
			Id string `xml:"Id"`
		} `xml:"Othr,omitempty"`
	} `xml:"FinInstnId"`
}

type amount struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

type pain001CdTx struct {
	PmtId struct {
		InstrId    string `xml:"InstrId"`
		EndToEndId string `xml:"EndToEndId"`
	} `xml:"PmtId"`
	Amt struct {
		InstdAmt amount `xml:"InstdAmt"`
	} `xml:"Amt"`
	CdtrAgt  *agent      `xml:"CdtrAgt,omitempty"`
	CdtrAcct cashAccount `xml:"CdtrAcct"`
	RmtInf   struct {
		Ustrd string `xml:"Ustrd"`
	} `xml:"RmtInf"`
}

// Decimal writes m in kronor with two decimals, as the files carry it.
func Decimal(m skalig.Money) string {
	v := int64(m)
	return fmt.Sprintf("%d.%02d", v/100, v%100)
}

// Pain001 writes the credit-transfer file of run r with its payments ps (in
// file order) from the debtor d: one payment information block with one
// transaction per payment, whose end-to-end id is the payment's id, the
// control sum and the number of transactions of both the group and the
// block, and the requested execution date of the run. The same run gives
// the same bytes.
func Pain001(r *paymentdb.PaymentRun, ps []*store.Payment, d Debtor) ([]byte, error) {
	if len(ps) == 0 {
		return nil, fmt.Errorf("pain.001: no payments")
	}
	var total skalig.Money
	for _, p := range ps {
		total += p.Amount
	}
	doc := pain001Document{NS: NSPain001}
	h := &doc.Init.GrpHdr
	h.MsgId = r.MessageID
	h.CreDtTm = r.CreatedAt.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
	h.NbOfTxs, h.CtrlSum = len(ps), Decimal(total)
	h.InitgPty = party{Nm: d.Name}
	if d.OrgID != "" {
		id := &partyID{}
		id.OrgId.Othr.Id = d.OrgID
		id.OrgId.Othr.SchmeNm.Cd = "CUST"
		h.InitgPty.Id = id
	}
	pi := &doc.Init.PmtInf
	pi.PmtInfId = "P-" + r.ID
	pi.PmtMtd, pi.BtchBookg = "TRF", false
	pi.NbOfTxs, pi.CtrlSum = len(ps), Decimal(total)
	pi.ReqdExctnDt = r.ExecutionDate.String()
	pi.Dbtr = party{Nm: d.Name}
	pi.DbtrAcct.Id.IBAN = normalize(d.IBAN)
	pi.DbtrAcct.Ccy = "SEK"
	if d.BIC != "" {
		pi.DbtrAgt.FinInstnId.BIC = d.BIC
	} else {
		pi.DbtrAgt.FinInstnId.Othr = &struct {
			Id string `xml:"Id"`
		}{Id: "NOTPROVIDED"}
	}
	pi.ChrgBr = "SLEV"
	for _, p := range ps {
		var tx pain001CdTx
		tx.PmtId.InstrId, tx.PmtId.EndToEndId = p.ID, p.ID
		tx.Amt.InstdAmt = amount{Ccy: "SEK", Value: Decimal(p.Amount)}
		acc := ParseAccount(p.Account)
		if acc.IBAN != "" {
			tx.CdtrAcct.Id.IBAN = acc.IBAN
		} else {
			tx.CdtrAcct.Id.Othr = &struct {
				Id      string `xml:"Id"`
				SchmeNm struct {
					Cd string `xml:"Cd"`
				} `xml:"SchmeNm"`
			}{Id: acc.BBAN}
			tx.CdtrAcct.Id.Othr.SchmeNm.Cd = "BBAN"
			if acc.Clearing != "" {
				a := &agent{}
				a.FinInstnId.ClrSysMmbId = &struct {
					ClrSysId struct {
						Cd string `xml:"Cd"`
					} `xml:"ClrSysId"`
					MmbId string `xml:"MmbId"`
				}{MmbId: acc.Clearing}
				a.FinInstnId.ClrSysMmbId.ClrSysId.Cd = "SESBA"
				tx.CdtrAgt = a
			}
		}
		tx.RmtInf.Ustrd = "Forsorjningsstod beslut " + p.DecisionID
		pi.Txs = append(pi.Txs, tx)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("pain.001: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// Account is a payee's account as a payment file carries it.
type Account struct {
	// IBAN, when the account was given as a Swedish IBAN (SE and 22
	// digits, with a valid check).
	IBAN string
	// BBAN is the domestic account: the clearing number followed by the
	// account number, digits only (Othr/Id with SchmeNm/Cd BBAN).
	BBAN string
	// Clearing is the bank's four-digit clearing number (the first four
	// digits), written as the creditor agent's member id in the Swedish
	// bank clearing system (ClrSysId/Cd SESBA).
	Clearing string
}

// ParseAccount reads an account as the applicant stated it: a Swedish IBAN
// ("SE45 5000 0000 0583 9825 7466"), or a clearing number and an account
// number ("8327-9 123456789", "5000-1234567"). Anything else is passed on
// as its digits: the bank rejects an account it does not know, and the
// rejection comes back to a person (docs/payments.md).
func ParseAccount(s string) Account {
	n := normalize(s)
	if len(n) == 24 && strings.HasPrefix(n, "SE") && onlyDigits(n[2:]) && ibanValid(n) {
		return Account{IBAN: n}
	}
	var digits strings.Builder
	for _, c := range n {
		if c >= '0' && c <= '9' {
			digits.WriteRune(c)
		}
	}
	d := digits.String()
	if d == "" {
		d = "0"
	}
	if len(d) > 34 {
		d = d[:34]
	}
	a := Account{BBAN: d}
	if pre, _, ok := strings.Cut(s, "-"); ok && len(normalize(pre)) >= 4 && len(normalize(pre)) <= 5 && onlyDigits(normalize(pre)) {
		a.Clearing = normalize(pre)[:4] // "8327-9 …": the clearing number as written
	} else if !ok && len(d) >= 11 {
		a.Clearing = d[:4]
	}
	return a
}

// normalize upper-cases s and drops everything but letters and digits.
func normalize(s string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		if (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func onlyDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// ibanValid checks the IBAN's ISO 13616 check digits (mod 97).
func ibanValid(iban string) bool {
	r := iban[4:] + iban[:4]
	rem := 0
	for _, c := range r {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		default:
			return false
		}
	}
	return rem == 1
}
