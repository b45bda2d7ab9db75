package letters

import (
	"bytes"
	"encoding/binary"
	"math"
	"sync"
)

// The output intent's colour profile. PDF/A (ISO 19005-2, 6.2.3) asks for
// an output intent with an ICC profile that says what the colours mean.
// Rather than commit a profile file of unclear licence, the writer makes a
// small ICC version 2 display profile of sRGB (IEC 61966-2-1) here: the
// sRGB primaries adapted to D50 (Bradford), the D50 white point and the
// sRGB tone curve as a 1024-entry table. The bytes are fixed: the same
// every time, so letters stay reproducible.

var (
	iccOnce  sync.Once
	iccBytes []byte
)

// iccDescription names the profile and the output condition.
const iccDescription = "sRGB IEC61966-2.1"

// sRGBProfile returns the ICC profile.
func sRGBProfile() []byte {
	iccOnce.Do(func() { iccBytes = buildSRGBProfile() })
	return iccBytes
}

func buildSRGBProfile() []byte {
	be := binary.BigEndian
	s15 := func(v float64) uint32 { return uint32(int32(math.Round(v * 65536))) }
	xyz := func(x, y, z float64) []byte {
		b := make([]byte, 20)
		copy(b, "XYZ ")
		be.PutUint32(b[8:], s15(x))
		be.PutUint32(b[12:], s15(y))
		be.PutUint32(b[16:], s15(z))
		return b
	}
	const n = 1024
	curve := make([]byte, 12+2*n)
	copy(curve, "curv")
	be.PutUint32(curve[8:], n)
	for i := range n {
		x := float64(i) / (n - 1)
		y := x / 12.92
		if x > 0.04045 {
			y = math.Pow((x+0.055)/1.055, 2.4)
		}
		be.PutUint16(curve[12+2*i:], uint16(math.Round(y*65535)))
	}
	desc := func(s string) []byte {
		var b bytes.Buffer
		b.WriteString("desc\x00\x00\x00\x00")
		binary.Write(&b, be, uint32(len(s)+1))
		b.WriteString(s)
		b.WriteByte(0)
		b.Write(make([]byte, 4+4+2+1+67)) // no Unicode, no ScriptCode description
		return b.Bytes()
	}
	text := append([]byte("text\x00\x00\x00\x00"), "No copyright, use freely\x00"...)
	type tag struct {
		sig  string
		data []byte
	}
	tags := []tag{
		{"desc", desc(iccDescription)},
		{"cprt", text},
		{"wtpt", xyz(0.9642, 1.0, 0.8249)},
		{"rXYZ", xyz(0.4360747, 0.2225045, 0.0139322)},
		{"gXYZ", xyz(0.3850649, 0.7168786, 0.0971045)},
		{"bXYZ", xyz(0.1430804, 0.0606169, 0.7141733)},
		{"rTRC", curve}, {"gTRC", curve}, {"bTRC", curve},
	}
	tableLen := 4 + 12*len(tags)
	var data bytes.Buffer
	offsets := map[*byte]uint32{}
	table := make([]byte, tableLen)
	be.PutUint32(table, uint32(len(tags)))
	for i, t := range tags {
		off, ok := offsets[&t.data[0]]
		if !ok {
			for data.Len()%4 != 0 {
				data.WriteByte(0)
			}
			off = uint32(128 + tableLen + data.Len())
			offsets[&t.data[0]] = off
			data.Write(t.data)
		}
		e := table[4+12*i:]
		copy(e, t.sig)
		be.PutUint32(e[4:], off)
		be.PutUint32(e[8:], uint32(len(t.data)))
	}
	for data.Len()%4 != 0 {
		data.WriteByte(0)
	}
	head := make([]byte, 128)
	size := 128 + tableLen + data.Len()
	be.PutUint32(head[0:], uint32(size))
	be.PutUint32(head[8:], 0x02100000) // version 2.1
	copy(head[12:], "mntr")
	copy(head[16:], "RGB ")
	copy(head[20:], "XYZ ")
	for i, v := range []uint16{2026, 1, 1, 0, 0, 0} {
		be.PutUint16(head[24+2*i:], v)
	}
	copy(head[36:], "acsp")
	be.PutUint32(head[68:], s15(0.9642))
	be.PutUint32(head[72:], s15(1.0))
	be.PutUint32(head[76:], s15(0.8249))
	out := append(head, table...)
	return append(out, data.Bytes()...)
}
