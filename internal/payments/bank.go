package payments

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"time"

	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
)

// The simulated bank: the answers a bank sends for a payment file, for the
// demo and the tests. They are the files a municipality's bank sends in
// the formats Skälig reads, made from the run as stored.

type camt054Doc struct {
	XMLName xml.Name `xml:"Document"`
	NS      string   `xml:"xmlns,attr"`
	Ntf     struct {
		GrpHdr struct {
			MsgId   string `xml:"MsgId"`
			CreDtTm string `xml:"CreDtTm"`
		} `xml:"GrpHdr"`
		Ntfctn struct {
			Id      string      `xml:"Id"`
			CreDtTm string      `xml:"CreDtTm"`
			Acct    cashAccount `xml:"Acct"`
			Ntry    []camtEntry `xml:"Ntry"`
		} `xml:"Ntfctn"`
	} `xml:"BkToCstmrDbtCdtNtfctn"`
}

type camtEntry struct {
	Amt       amount `xml:"Amt"`
	CdtDbtInd string `xml:"CdtDbtInd"`
	Sts       string `xml:"Sts"`
	BookgDt   struct {
		Dt string `xml:"Dt"`
	} `xml:"BookgDt"`
	BkTxCd struct {
		Domn struct {
			Cd   string `xml:"Cd"`
			Fmly struct {
				Cd        string `xml:"Cd"`
				SubFmlyCd string `xml:"SubFmlyCd"`
			} `xml:"Fmly"`
		} `xml:"Domn"`
	} `xml:"BkTxCd"`
	NtryDtls struct {
		TxDtls struct {
			Refs struct {
				MsgId      string `xml:"MsgId"`
				PmtInfId   string `xml:"PmtInfId"`
				InstrId    string `xml:"InstrId"`
				EndToEndId string `xml:"EndToEndId"`
			} `xml:"Refs"`
			AmtDtls struct {
				TxAmt struct {
					Amt amount `xml:"Amt"`
				} `xml:"TxAmt"`
			} `xml:"AmtDtls"`
			RtrInf *struct {
				Rsn struct {
					Cd string `xml:"Cd"`
				} `xml:"Rsn"`
				AddtlInf string `xml:"AddtlInf,omitempty"`
			} `xml:"RtrInf,omitempty"`
		} `xml:"TxDtls"`
	} `xml:"NtryDtls"`
}

// SimulatedNotification is the camt.054.001.02 debit notification a bank
// sends when it has paid out run r: one booked debit per payment of ps
// (the run's payments), with the payment's end-to-end id, made at at on
// the debtor's account. Payments named in returned come back as returned
// by the payee's bank, with that reason code (a credit with RtrInf).
func SimulatedNotification(r *paymentdb.PaymentRun, ps []*store.Payment, d Debtor, at time.Time, returned map[string]string) ([]byte, error) {
	var doc camt054Doc
	doc.NS = NSCamt054
	at = at.UTC().Truncate(time.Second)
	doc.Ntf.GrpHdr.MsgId = "BANK-054-" + r.ID
	doc.Ntf.GrpHdr.CreDtTm = at.Format("2006-01-02T15:04:05Z")
	n := &doc.Ntf.Ntfctn
	n.Id, n.CreDtTm = "N-"+r.ID, doc.Ntf.GrpHdr.CreDtTm
	n.Acct.Id.IBAN = normalize(d.IBAN)
	n.Acct.Ccy = "SEK"
	for _, p := range ps {
		var e camtEntry
		e.Amt = amount{Ccy: "SEK", Value: Decimal(p.Amount)}
		e.CdtDbtInd, e.Sts = "DBIT", "BOOK"
		e.BookgDt.Dt = at.Format("2006-01-02")
		e.BkTxCd.Domn.Cd, e.BkTxCd.Domn.Fmly.Cd, e.BkTxCd.Domn.Fmly.SubFmlyCd = "PMNT", "ICDT", "DMCT"
		tx := &e.NtryDtls.TxDtls
		tx.Refs.MsgId, tx.Refs.PmtInfId, tx.Refs.InstrId, tx.Refs.EndToEndId = r.MessageID, "P-"+r.ID, p.ID, p.ID
		tx.AmtDtls.TxAmt.Amt = e.Amt
		if code, ok := returned[p.ID]; ok {
			e.CdtDbtInd = "CRDT"
			e.BkTxCd.Domn.Fmly.SubFmlyCd = "RRTN"
			tx.RtrInf = &struct {
				Rsn struct {
					Cd string `xml:"Cd"`
				} `xml:"Rsn"`
				AddtlInf string `xml:"AddtlInf,omitempty"`
			}{}
			tx.RtrInf.Rsn.Cd = code
		}
		n.Ntry = append(n.Ntry, e)
	}
	return encode(doc)
}

type pain002Doc struct {
	XMLName xml.Name `xml:"Document"`
	NS      string   `xml:"xmlns,attr"`
	Rpt     struct {
		GrpHdr struct {
			MsgId   string `xml:"MsgId"`
			CreDtTm string `xml:"CreDtTm"`
		} `xml:"GrpHdr"`
		OrgGrp struct {
			OrgnlMsgId   string `xml:"OrgnlMsgId"`
			OrgnlMsgNmId string `xml:"OrgnlMsgNmId"`
			OrgnlNbOfTxs int    `xml:"OrgnlNbOfTxs"`
			OrgnlCtrlSum string `xml:"OrgnlCtrlSum"`
		} `xml:"OrgnlGrpInfAndSts"`
		PmtInf struct {
			OrgnlPmtInfId string          `xml:"OrgnlPmtInfId"`
			Tx            []pain002Status `xml:"TxInfAndSts"`
		} `xml:"OrgnlPmtInfAndSts"`
	} `xml:"CstmrPmtStsRpt"`
}

type pain002Status struct {
	OrgnlInstrId    string `xml:"OrgnlInstrId"`
	OrgnlEndToEndId string `xml:"OrgnlEndToEndId"`
	TxSts           string `xml:"TxSts"`
	StsRsnInf       *struct {
		Rsn struct {
			Cd string `xml:"Cd"`
		} `xml:"Rsn"`
	} `xml:"StsRsnInf,omitempty"`
	OrgnlTxRef struct {
		Amt struct {
			InstdAmt amount `xml:"InstdAmt"`
		} `xml:"Amt"`
	} `xml:"OrgnlTxRef"`
}

// SimulatedStatusReport is the pain.002.001.03 status report a bank sends
// for run r: each payment of ps named in rejected is rejected (RJCT) with
// that reason code, the others are reported settled (ACSC).
func SimulatedStatusReport(r *paymentdb.PaymentRun, ps []*store.Payment, at time.Time, rejected map[string]string) ([]byte, error) {
	var doc pain002Doc
	doc.NS = NSPain002
	doc.Rpt.GrpHdr.MsgId = "BANK-002-" + r.ID
	doc.Rpt.GrpHdr.CreDtTm = at.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
	doc.Rpt.OrgGrp.OrgnlMsgId, doc.Rpt.OrgGrp.OrgnlMsgNmId = r.MessageID, "pain.001.001.03"
	doc.Rpt.OrgGrp.OrgnlNbOfTxs, doc.Rpt.OrgGrp.OrgnlCtrlSum = r.Count, Decimal(r.Total)
	doc.Rpt.PmtInf.OrgnlPmtInfId = "P-" + r.ID
	for _, p := range ps {
		st := pain002Status{OrgnlInstrId: p.ID, OrgnlEndToEndId: p.ID, TxSts: "ACSC"}
		if code, ok := rejected[p.ID]; ok {
			st.TxSts = "RJCT"
			st.StsRsnInf = &struct {
				Rsn struct {
					Cd string `xml:"Cd"`
				} `xml:"Rsn"`
			}{}
			st.StsRsnInf.Rsn.Cd = code
		}
		st.OrgnlTxRef.Amt.InstdAmt = amount{Ccy: "SEK", Value: Decimal(p.Amount)}
		doc.Rpt.PmtInf.Tx = append(doc.Rpt.PmtInf.Tx, st)
	}
	return encode(doc)
}

func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
