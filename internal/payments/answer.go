package payments

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"skalig/internal/store/paymentdb"
	"strings"

	"skalig"
)

// Answer is a status file from the bank, parsed: a pain.002 status report
// or a camt.054 debit notification.
type Answer struct {
	Format    string // "pain.002.001.03" or "camt.054.001.02"
	MessageID string // the file's own GrpHdr/MsgId
	// OriginalMessageID is the payment file a pain.002 answers (empty
	// for camt.054).
	OriginalMessageID string
	// Results are the answers per payment, by end-to-end id.
	Results []paymentdb.BankResult
	// RejectAll is set when a pain.002 rejects the whole original file
	// (group or payment information status RJCT without transaction
	// statuses): every payment of that file is rejected with this reason.
	RejectAll *paymentdb.BankResult
	SHA256    string
}

// maxAnswer bounds a bank file Skälig reads.
const maxAnswer = 64 << 20

// ParseAnswer reads a bank file. It accepts pain.002.001.03 and
// camt.054.001.02 (by the document's namespace) and refuses anything else,
// and any file it cannot read in full, with an EINVALID whose Swedish
// message names what is wrong. It reads only what the import needs and
// checks that: a transaction without an end-to-end id, an unknown status,
// an amount that is not one.
func ParseAnswer(data []byte) (*Answer, error) {
	if len(data) == 0 {
		return nil, invalid("Filen är tom.")
	}
	if len(data) > maxAnswer {
		return nil, invalid("Filen är större än 64 MB och läses inte in.")
	}
	ns, err := rootNamespace(data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	var a *Answer
	switch ns {
	case NSPain002:
		a, err = parsePain002(data)
	case NSCamt054:
		a, err = parseCamt054(data)
	case NSPain001:
		return nil, invalid("Filen är en betalningsfil (pain.001) från Skälig, inte ett svar från banken.")
	default:
		return nil, invalid("Filen är varken en statusrapport (pain.002.001.03) eller en debiteringsavi (camt.054.001.02): dokumentets namnrymd är %q.", ns)
	}
	if err != nil {
		return nil, err
	}
	a.SHA256 = hex.EncodeToString(sum[:])
	return a, nil
}

func invalid(format string, args ...any) error {
	return skalig.Errorf(skalig.EINVALID, format, args...)
}

// rootNamespace returns the namespace of the document element, checking
// that it is a Document.
func rootNamespace(data []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return "", invalid("Filen innehåller ingen XML.")
		}
		if err != nil {
			return "", invalid("Filen är inte giltig XML: %s.", xmlErr(err))
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "Document" {
				return "", invalid("Filens rotelement är %q, inte Document som i ISO 20022.", se.Name.Local)
			}
			return se.Name.Space, nil
		}
	}
}

func xmlErr(err error) string {
	var se *xml.SyntaxError
	if e, ok := err.(*xml.SyntaxError); ok {
		se = e
		return fmt.Sprintf("rad %d: %s", se.Line, se.Msg)
	}
	return err.Error()
}

// decode reads data fully into v, refusing trailing garbage.
func decode(data []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(v); err != nil {
		return invalid("Filen är inte giltig XML: %s.", xmlErr(err))
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return invalid("Filen är inte giltig XML efter dokumentet: %s.", xmlErr(err))
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return invalid("Filen har text efter dokumentets slut.")
			}
		case xml.Comment, xml.ProcInst:
		default:
			return invalid("Filen har mer än ett dokument.")
		}
	}
}

// reason is StatusReasonInformation8 (pain.002) and ReturnReasonInformation10
// (camt.054): a code (Rsn/Cd or Rsn/Prtry) and lines of text (AddtlInf).
type reason struct {
	Cd       string   `xml:"Rsn>Cd"`
	Prtry    string   `xml:"Rsn>Prtry"`
	AddtlInf []string `xml:"AddtlInf"`
}

func reasonOf(rs []reason) (code, text string) {
	for _, r := range rs {
		c := strings.TrimSpace(r.Cd)
		if c == "" {
			c = strings.TrimSpace(r.Prtry)
		}
		if code == "" {
			code = c
		}
		for _, t := range r.AddtlInf {
			if t = strings.TrimSpace(t); t != "" {
				if text != "" {
					text += " "
				}
				text += t
			}
		}
	}
	if code == "" {
		code = "NARR"
	}
	if text == "" {
		text = ReasonText(code)
	}
	return code, text
}

type pain002 struct {
	Rpt struct {
		MsgId  string `xml:"GrpHdr>MsgId"`
		OrgGrp struct {
			OrgnlMsgId   string   `xml:"OrgnlMsgId"`
			OrgnlMsgNmId string   `xml:"OrgnlMsgNmId"`
			GrpSts       string   `xml:"GrpSts"`
			StsRsnInf    []reason `xml:"StsRsnInf"`
		} `xml:"OrgnlGrpInfAndSts"`
		PmtInf []struct {
			PmtInfSts string   `xml:"PmtInfSts"`
			StsRsnInf []reason `xml:"StsRsnInf"`
			Tx        []struct {
				EndToEndId string   `xml:"OrgnlEndToEndId"`
				TxSts      string   `xml:"TxSts"`
				StsRsnInf  []reason `xml:"StsRsnInf"`
				Amt        string   `xml:"OrgnlTxRef>Amt>InstdAmt"`
			} `xml:"TxInfAndSts"`
		} `xml:"OrgnlPmtInfAndSts"`
	} `xml:"CstmrPmtStsRpt"`
}

// Transaction statuses of pain.002 (ExternalPaymentTransactionStatus1Code
// and TransactionGroupStatus3Code): ACSC is settled (paid out); RJCT is
// rejected; the others (ACCP, ACSP, ACTC, ACWC, PDNG, RCVD, PART) say that
// the bank has it, not that it is paid, and change nothing.
var pendingStatus = map[string]bool{"ACCP": true, "ACSP": true, "ACTC": true, "ACWC": true, "PDNG": true, "RCVD": true, "PART": true}

func parsePain002(data []byte) (*Answer, error) {
	var doc pain002
	if err := decode(data, &doc); err != nil {
		return nil, err
	}
	r := doc.Rpt
	a := &Answer{Format: "pain.002.001.03", MessageID: strings.TrimSpace(r.MsgId), OriginalMessageID: strings.TrimSpace(r.OrgGrp.OrgnlMsgId)}
	if a.MessageID == "" {
		return nil, invalid("Statusrapporten saknar meddelande-id (GrpHdr/MsgId).")
	}
	if a.OriginalMessageID == "" {
		return nil, invalid("Statusrapporten saknar id för den betalningsfil den svarar på (OrgnlGrpInfAndSts/OrgnlMsgId).")
	}
	if n := strings.TrimSpace(r.OrgGrp.OrgnlMsgNmId); n != "" && !strings.HasPrefix(n, "pain.001") {
		return nil, invalid("Statusrapporten svarar på %s, inte på en betalningsfil (pain.001).", n)
	}
	txs := 0
	for i, pi := range r.PmtInf {
		for j, tx := range pi.Tx {
			txs++
			where := fmt.Sprintf("OrgnlPmtInfAndSts[%d]/TxInfAndSts[%d]", i+1, j+1)
			id := strings.TrimSpace(tx.EndToEndId)
			if id == "" {
				return nil, invalid("Transaktionen %s saknar end-to-end-id (OrgnlEndToEndId).", where)
			}
			res := paymentdb.BankResult{EndToEndID: id}
			if tx.Amt != "" {
				m, ok := parseAmount(tx.Amt)
				if !ok {
					return nil, invalid("Transaktionen %s (%s) har beloppet %q, som inte är ett belopp.", where, id, tx.Amt)
				}
				res.Amount = m
			}
			switch st := strings.TrimSpace(tx.TxSts); {
			case st == "ACSC" || st == "ACCC":
				res.Executed = true
			case st == "RJCT":
				res.Code, res.Text = reasonOf(append(tx.StsRsnInf, pi.StsRsnInf...))
			case pendingStatus[st]:
				continue
			case st == "":
				return nil, invalid("Transaktionen %s (%s) saknar status (TxSts).", where, id)
			default:
				return nil, invalid("Transaktionen %s (%s) har statusen %q, som Skälig inte känner till.", where, id, st)
			}
			a.Results = append(a.Results, res)
		}
	}
	if txs == 0 {
		st := strings.TrimSpace(r.OrgGrp.GrpSts)
		rs := r.OrgGrp.StsRsnInf
		for _, pi := range r.PmtInf {
			if s := strings.TrimSpace(pi.PmtInfSts); s != "" {
				st = s
				rs = append(rs, pi.StsRsnInf...)
			}
		}
		switch {
		case st == "RJCT":
			code, text := reasonOf(rs)
			a.RejectAll = &paymentdb.BankResult{Code: code, Text: text}
		case st == "ACSC" || st == "ACCC":
			a.RejectAll = nil
			return nil, invalid("Statusrapporten anger att hela filen %s är utbetald men nämner inga transaktioner; Skälig behöver svar per transaktion (TxInfAndSts).", a.OriginalMessageID)
		case pendingStatus[st]:
		case st == "":
			return nil, invalid("Statusrapporten har varken gruppstatus (GrpSts) eller transaktioner (TxInfAndSts).")
		default:
			return nil, invalid("Statusrapporten har gruppstatusen %q, som Skälig inte känner till.", st)
		}
	}
	return a, nil
}

type camt054 struct {
	Ntf struct {
		MsgId  string `xml:"GrpHdr>MsgId"`
		Ntfctn []struct {
			Ntry []struct {
				Amt       string `xml:"Amt"`
				CdtDbtInd string `xml:"CdtDbtInd"`
				Sts       string `xml:"Sts"`
				Dtls      []struct {
					Tx []struct {
						EndToEndId string   `xml:"Refs>EndToEndId"`
						Amt        string   `xml:"AmtDtls>TxAmt>Amt"`
						RtrInf     []reason `xml:"RtrInf"`
					} `xml:"TxDtls"`
				} `xml:"NtryDtls"`
			} `xml:"Ntry"`
		} `xml:"Ntfctn"`
	} `xml:"BkToCstmrDbtCdtNtfctn"`
}

func parseCamt054(data []byte) (*Answer, error) {
	var doc camt054
	if err := decode(data, &doc); err != nil {
		return nil, err
	}
	a := &Answer{Format: "camt.054.001.02", MessageID: strings.TrimSpace(doc.Ntf.MsgId)}
	if a.MessageID == "" {
		return nil, invalid("Avin saknar meddelande-id (GrpHdr/MsgId).")
	}
	for i, n := range doc.Ntf.Ntfctn {
		for j, e := range n.Ntry {
			where := fmt.Sprintf("Ntfctn[%d]/Ntry[%d]", i+1, j+1)
			switch st := strings.TrimSpace(e.Sts); st {
			case "BOOK":
			case "PDNG", "INFO":
				continue
			default:
				return nil, invalid("Posten %s har statusen %q; Skälig läser bokförda (BOOK) och väntande (PDNG) poster.", where, st)
			}
			ind := strings.TrimSpace(e.CdtDbtInd)
			if ind != "DBIT" && ind != "CRDT" {
				return nil, invalid("Posten %s saknar debet eller kredit (CdtDbtInd).", where)
			}
			n := 0
			for _, d := range e.Dtls {
				for k, tx := range d.Tx {
					n++
					twhere := fmt.Sprintf("%s/NtryDtls/TxDtls[%d]", where, k+1)
					id := strings.TrimSpace(tx.EndToEndId)
					if id == "" || id == "NOTPROVIDED" {
						return nil, invalid("Transaktionen %s saknar end-to-end-id (Refs/EndToEndId).", twhere)
					}
					res := paymentdb.BankResult{EndToEndID: id}
					amt := tx.Amt
					if amt == "" && len(d.Tx) == 1 && len(e.Dtls) == 1 {
						amt = e.Amt
					}
					if amt != "" {
						m, ok := parseAmount(amt)
						if !ok {
							return nil, invalid("Transaktionen %s (%s) har beloppet %q, som inte är ett belopp.", twhere, id, amt)
						}
						res.Amount = m
					}
					switch {
					case len(tx.RtrInf) > 0:
						// A payment returned by the payee's bank: the
						// money came back, so it was not paid out.
						res.Code, res.Text = reasonOf(tx.RtrInf)
					case ind == "DBIT":
						res.Executed = true
					default:
						return nil, invalid("Transaktionen %s (%s) är en kredit utan returorsak (RtrInf); Skälig läser debiteringar och returer.", twhere, id)
					}
					a.Results = append(a.Results, res)
				}
			}
			if n == 0 {
				return nil, invalid("Posten %s saknar transaktioner (NtryDtls/TxDtls) med end-to-end-id.", where)
			}
		}
	}
	if len(a.Results) == 0 {
		return nil, invalid("Avin innehåller inga bokförda transaktioner.")
	}
	return a, nil
}

// parseAmount reads an ISO 20022 amount in kronor ("1234.5", "1234.50",
// "1234.50000") as öre; more than two significant decimals is not an
// amount in SEK.
func parseAmount(s string) (skalig.Money, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		frac := strings.TrimRight(s[i+1:], "0")
		if frac == "" {
			s = s[:i]
		} else {
			s = s[:i+1] + frac
		}
	}
	if len(s) > 1 && s[0] == '0' && s[1] != '.' {
		s = strings.TrimLeft(s, "0")
		if s == "" || s[0] == '.' {
			s = "0" + s
		}
	}
	m, ok := skalig.ParseMoney(s)
	if !ok || m < 0 {
		return 0, false
	}
	return m, true
}
