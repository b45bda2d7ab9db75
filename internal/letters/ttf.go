package letters

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
)

// font is a parsed TrueType font: what the PDF writer needs to measure
// text, describe the font and embed a subset of it.
type font struct {
	name       string // PostScript name, "DejaVuSans"
	data       []byte
	tables     map[string][]byte
	unitsPerEm int
	bbox       [4]int
	ascent     int
	descent    int
	capHeight  int
	advance    []int // per glyph, in font units
	cmap       map[rune]uint16
	longLoca   bool
	numGlyphs  int
}

func parseFont(name string, data []byte) (*font, error) {
	if len(data) < 12 {
		return nil, fmt.Errorf("font %s: too short", name)
	}
	f := &font{name: name, data: data, tables: map[string][]byte{}, cmap: map[rune]uint16{}}
	n := int(binary.BigEndian.Uint16(data[4:]))
	for i := 0; i < n; i++ {
		rec := data[12+16*i:]
		tag := string(rec[:4])
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if int(off)+int(length) > len(data) {
			return nil, fmt.Errorf("font %s: table %s out of range", name, tag)
		}
		f.tables[tag] = data[off : off+length]
	}
	for _, t := range []string{"head", "hhea", "hmtx", "cmap", "loca", "glyf", "maxp"} {
		if f.tables[t] == nil {
			return nil, fmt.Errorf("font %s: no %s table", name, t)
		}
	}
	u16 := func(b []byte, o int) int { return int(binary.BigEndian.Uint16(b[o:])) }
	s16 := func(b []byte, o int) int { return int(int16(binary.BigEndian.Uint16(b[o:]))) }
	head := f.tables["head"]
	f.unitsPerEm = u16(head, 18)
	f.bbox = [4]int{s16(head, 36), s16(head, 38), s16(head, 40), s16(head, 42)}
	f.longLoca = s16(head, 50) == 1
	hhea := f.tables["hhea"]
	f.ascent, f.descent = s16(hhea, 4), s16(hhea, 6)
	f.capHeight = f.ascent
	if os2 := f.tables["OS/2"]; len(os2) >= 90 && u16(os2, 0) >= 2 {
		f.capHeight = s16(os2, 88)
	}
	f.numGlyphs = u16(f.tables["maxp"], 4)
	nh := u16(hhea, 34)
	hmtx := f.tables["hmtx"]
	f.advance = make([]int, f.numGlyphs)
	last := 0
	for g := 0; g < f.numGlyphs; g++ {
		if g < nh {
			last = u16(hmtx, 4*g)
		}
		f.advance[g] = last
	}
	// The Windows Unicode BMP subtable, format 4.
	cm := f.tables["cmap"]
	var sub []byte
	for i := 0; i < u16(cm, 2); i++ {
		r := cm[4+8*i:]
		if u16(r, 0) == 3 && u16(r, 2) == 1 {
			sub = cm[binary.BigEndian.Uint32(r[4:]):]
		}
	}
	if sub == nil || u16(sub, 0) != 4 {
		return nil, fmt.Errorf("font %s: no Unicode BMP cmap (3,1) of format 4", name)
	}
	segs := u16(sub, 6) / 2
	ends, starts, deltas, offs := 14, 16+2*segs, 16+4*segs, 16+6*segs
	for s := 0; s < segs; s++ {
		end, start := u16(sub, ends+2*s), u16(sub, starts+2*s)
		delta, ro := u16(sub, deltas+2*s), u16(sub, offs+2*s)
		for c := start; c <= end && c != 0xFFFF; c++ {
			var g int
			if ro == 0 {
				g = (c + delta) & 0xFFFF
			} else {
				at := offs + 2*s + ro + 2*(c-start)
				if at+2 > len(sub) {
					continue
				}
				if g = u16(sub, at); g != 0 {
					g = (g + delta) & 0xFFFF
				}
			}
			if g != 0 && g < f.numGlyphs {
				f.cmap[rune(c)] = uint16(g)
			}
		}
	}
	return f, nil
}

// width returns the advance of r in thousandths of the font size.
func (f *font) width(r rune) float64 {
	return float64(f.advance[f.cmap[r]]) * 1000 / float64(f.unitsPerEm)
}

// glyphRange returns the bytes of glyph g in the glyf table.
func (f *font) glyphRange(g int) (int, int) {
	loca := f.tables["loca"]
	if f.longLoca {
		return int(binary.BigEndian.Uint32(loca[4*g:])), int(binary.BigEndian.Uint32(loca[4*g+4:]))
	}
	return 2 * int(binary.BigEndian.Uint16(loca[2*g:])), 2 * int(binary.BigEndian.Uint16(loca[2*g+2:]))
}

// subset returns a copy of the font in which only the glyphs of runes
// (and glyph 0 and the components of composite glyphs) keep their
// outlines; the glyph ids, the character map and the metrics are
// unchanged, so the PDF's encoding stays valid. The result depends only
// on the set of runes.
func (f *font) subset(runes map[rune]bool) []byte {
	keep := map[int]bool{0: true}
	var todo []int
	for r := range runes {
		if g, ok := f.cmap[r]; ok && !keep[int(g)] {
			keep[int(g)] = true
			todo = append(todo, int(g))
		}
	}
	glyf := f.tables["glyf"]
	for len(todo) > 0 {
		g := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		a, b := f.glyphRange(g)
		if b-a < 10 || int16(binary.BigEndian.Uint16(glyf[a:])) >= 0 {
			continue
		}
		p := a + 10
		for p+4 <= b {
			flags := binary.BigEndian.Uint16(glyf[p:])
			comp := int(binary.BigEndian.Uint16(glyf[p+2:]))
			if !keep[comp] {
				keep[comp] = true
				todo = append(todo, comp)
			}
			p += 4
			if flags&1 != 0 { // ARG_1_AND_2_ARE_WORDS
				p += 4
			} else {
				p += 2
			}
			switch {
			case flags&0x08 != 0: // WE_HAVE_A_SCALE
				p += 2
			case flags&0x40 != 0: // X_AND_Y_SCALE
				p += 4
			case flags&0x80 != 0: // TWO_BY_TWO
				p += 8
			}
			if flags&0x20 == 0 { // MORE_COMPONENTS
				break
			}
		}
	}
	var newGlyf bytes.Buffer
	loca := make([]byte, 4*(f.numGlyphs+1))
	for g := 0; g < f.numGlyphs; g++ {
		binary.BigEndian.PutUint32(loca[4*g:], uint32(newGlyf.Len()))
		if keep[g] {
			a, b := f.glyphRange(g)
			newGlyf.Write(glyf[a:b])
			for newGlyf.Len()%4 != 0 {
				newGlyf.WriteByte(0)
			}
		}
	}
	binary.BigEndian.PutUint32(loca[4*f.numGlyphs:], uint32(newGlyf.Len()))
	head := append([]byte(nil), f.tables["head"]...)
	binary.BigEndian.PutUint32(head[8:], 0) // checkSumAdjustment: not recomputed
	binary.BigEndian.PutUint16(head[50:], 1)
	tables := map[string][]byte{"glyf": newGlyf.Bytes(), "loca": loca, "head": head}
	for _, t := range []string{"cmap", "cvt ", "fpgm", "hhea", "hmtx", "maxp", "name", "OS/2", "post", "prep"} {
		if b, ok := f.tables[t]; ok {
			tables[t] = b
		}
	}
	return writeFont(tables)
}

// writeFont writes an sfnt with tables in tag order.
func writeFont(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	es, sr := 0, 1
	for sr*2 <= n {
		sr *= 2
		es++
	}
	var out bytes.Buffer
	hdr := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(hdr[0:], 0x00010000)
	binary.BigEndian.PutUint16(hdr[4:], uint16(n))
	binary.BigEndian.PutUint16(hdr[6:], uint16(sr*16))
	binary.BigEndian.PutUint16(hdr[8:], uint16(es))
	binary.BigEndian.PutUint16(hdr[10:], uint16(n*16-sr*16))
	off := len(hdr)
	var body bytes.Buffer
	for i, t := range tags {
		b := tables[t]
		rec := hdr[12+16*i:]
		copy(rec, t)
		binary.BigEndian.PutUint32(rec[4:], checksum(b))
		binary.BigEndian.PutUint32(rec[8:], uint32(off+body.Len()))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(b)))
		body.Write(b)
		for body.Len()%4 != 0 {
			body.WriteByte(0)
		}
	}
	out.Write(hdr)
	out.Write(body.Bytes())
	return out.Bytes()
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
