package transform

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestNormalizeText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii untouched", "abc 123", "abc 123"},
		{"full-width digits", "２０２３－０７－３１", "2023-07-31"},
		{"full-width letters", "ＡＢＣｘｙｚ", "ABCxyz"},
		{"full-width brackets", "腾讯科技（深圳）有限公司", "腾讯科技(深圳)有限公司"},
		{"ideographic comma kept", "甲、乙", "甲、乙"},
		{"ideographic space trimmed", "\u3000许昌\u3000", "许昌"},
		{"nbsp trimmed", "\u00a0许昌\u00a0", "许昌"},
		{"tabs and newlines trimmed", "\t许昌 \r\n", "许昌"},
		{"bom trimmed", "\ufeffuscc", "uscc"},
		{"inner ideographic space folded not removed", "许昌\u3000人力", "许昌 人力"},
		{"inner spaces kept", "a  b", "a  b"},
		{"only spaces", " \u3000\u00a0 ", ""},
		// Invisible: a key with one is another key to the store.
		{"zero-width space left out", "JC-2026-001\u200b", "JC-2026-001"},
		{"soft hyphen left out", "许人社罚〔2026〕\u00ad7号", "许人社罚〔2026〕7号"},
		{"word joiner and direction mark left out", "许\u2060昌\u200e", "许昌"},
		{"variation selector left out", "许人社罚〔2026〕7号\ufe0f", "许人社罚〔2026〕7号"},
		{"combining grapheme joiner and Hangul filler left out", "许\u034f昌\u3164", "许昌"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeText(tt.in); got != tt.want {
				t.Errorf("NormalizeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeUSCC(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"already normal", "91411023174430174N", "91411023174430174N"},
		{"lower case", "91411023174430174n", "91411023174430174N"},
		{"surrounding space", "  91411023174430174N\t", "91411023174430174N"},
		{"grouped by hand", "9141 1023 1744 3017 4N", "91411023174430174N"},
		{"full width", "９１４１１０２３１７４４３０１７４Ｎ", "91411023174430174N"},
		{"full width lower with ideographic space", "\u30009144030071526726ｘｇ", "9144030071526726XG"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeUSCC(tt.in); got != tt.want {
				t.Errorf("NormalizeUSCC(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	const tencent = "腾讯科技(深圳)有限公司"
	tests := []struct {
		name, in, want string
	}{
		{"full-width brackets", "腾讯科技（深圳）有限公司", tencent},
		{"half-width brackets", "腾讯科技(深圳)有限公司", tencent},
		{"space before bracket", "腾讯科技 (深圳)有限公司", tencent},
		{"ideographic spaces", "\u3000腾讯科技\u3000（深圳）有限公司\u3000", tencent},
		{"tortoise-shell brackets", "腾讯科技〔深圳〕有限公司", tencent},
		{"lenticular brackets", "腾讯科技【深圳】有限公司", tencent},
		{"square brackets", "腾讯科技[深圳]有限公司", tencent},
		{"full-width square brackets", "腾讯科技［深圳］有限公司", tencent},
		{"latin letters lower-cased", "ＦＥＳＣＯ Adecco 许昌分公司", "fescoadecco许昌分公司"},
		{"book title marks kept", "《许昌人才》杂志社", "《许昌人才》杂志社"},
		{"ideographic comma kept", "甲、乙", "甲、乙"},
		{"zero-width characters", "腾讯\u200b科技\u2060（深圳）\u00ad有限\u200d公司\ufeff", tencent},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeName(tt.in); got != tt.want {
				t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// WrittenText keeps a name as written, less what no reader sees.
func TestWrittenText(t *testing.T) {
	for in, want := range map[string]string{
		"启航人力资源服务（许昌）有限公司":                       "启航人力资源服务（许昌）有限公司",
		" 许昌\u3000凯盛劳务服务有限公司\u3000":              "许昌\u3000凯盛劳务服务有限公司",
		"服务场所面积不足，不符合设立条件":                       "服务场所面积不足，不符合设立条件",
		"许昌\u200b市魏都区\u2060第1人力\u200c资源\u00ad公司": "许昌市魏都区第1人力资源公司",
		"\ufeff\u200e许昌\u200f":                   "许昌",
		"ＦＥＳＣＯ":                                  "ＦＥＳＣＯ",
		"":                                       "",
	} {
		if got := WrittenText(in); got != want {
			t.Errorf("WrittenText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeNameDistinguishesInstitutions(t *testing.T) {
	a := NormalizeName("许昌市人力资源有限公司")
	b := NormalizeName("许昌县人力资源有限公司")
	if a == b {
		t.Errorf("different names share the key %q", a)
	}
}

// The inert-rune shortcut must never change what NormalizeText returns:
// it is compared with plain NFKC on strings that mix inert runes with
// the ones that compose, decompose or fold (combining marks, Hangul jamo,
// full-width forms, compatibility ideographs, invalid bytes).
func TestNormalizeTextShortcutAgreesWithNFKC(t *testing.T) {
	pieces := []string{
		"a", "Z", "0", " ", "许", "昌", "、", "《", "》", "\u3000", "（", "）", "Ａ", "１",
		"e\u0301", "\u0301", "\u0308", "\u1100", "\u1161", "\u11a8", "\uac00", "\uf900", "\u2fd5",
		"\u00a0", "\ufeff", "\u2460", "\u33a1", "\u212b", "\xff", "\xe4\xb8", "\U0002f800", "\U0001d400",
		"\u200b", "\u00ad", "\u2060", "\u200e", "\u034f", "\ufe0f", "\u3164",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := NormalizeText(s), strings.TrimFunc(dropFormat(norm.NFKC.String(s)), isTrimmable); got != want {
			t.Fatalf("NormalizeText(%q) = %q, NFKC gives %q", s, got, want)
		}
	}
}

func FuzzNormalizeText(f *testing.F) {
	for _, s := range []string{"许昌市（禹州）", "e\u0301", "\u1100\u1161", "ＡＢ１", "\uf900"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := NormalizeText(s), strings.TrimFunc(dropFormat(norm.NFKC.String(s)), isTrimmable); got != want {
			t.Fatalf("NormalizeText(%q) = %q, NFKC gives %q", s, got, want)
		}
	})
}

// NormalizeName is idempotent, and its shortcut for names already in key
// form agrees with the full loop.
func TestNormalizeNameIdempotent(t *testing.T) {
	for _, s := range []string{"许昌人力资源有限公司", "许昌 人力", "ABC人力(许昌)", "abc人力(许昌)", "人力【禹州】", "人力{x}", "a\u3000b", "\u00a0许昌"} {
		once := NormalizeName(s)
		if twice := NormalizeName(once); twice != once {
			t.Errorf("NormalizeName(%q) = %q, but normalising that gives %q", s, once, twice)
		}
	}
}

// TestNFKCRuneByRune puts every rune nfkc maps on its own between
// neighbours of each kind (inert, mapped, combining, Hangul jamo, outside
// the Basic Multilingual Plane) and compares with the norm package.
func TestNFKCRuneByRune(t *testing.T) {
	own := runeNFKC()
	if len(own) < 1000 {
		t.Fatalf("%d runes with a normal form of their own; the full-width forms alone are 94", len(own))
	}
	neighbours := []string{"", "许", "a", " ", "（", "Ａ", "\u0301", "\u1100", "\u1161", "\u3000", "\u33a1", "\U0002f800"}
	for r := range own {
		for _, before := range neighbours {
			for _, after := range neighbours {
				s := before + string(r) + after
				if got, want := nfkc(s), norm.NFKC.String(s); got != want {
					t.Errorf("nfkc(%q) = %q, NFKC gives %q", s, got, want)
				}
			}
		}
	}
}

func TestControlRune(t *testing.T) {
	for _, c := range []struct {
		in   string
		want rune // 0: none
	}{
		{"禹州假机构", 0},
		{"a\tb\r\nc\n", 0},
		{"\x1b[2J\x1b[31m禹州假机构\x07", 0x1b},
		{"机构\x07", 0x07},
		{"机构\x7f", 0x7f},
		{"机构\u009b2J", 0x9b},
		{"机构\u0085", 0x85},
		{"\x0c", 0x0c},
		// Noncharacters are no text either.
		{"机构\uFFFE", 0xFFFE},
		{"机\uFFFF构", 0xFFFF},
		{"\uFDD0机构", 0xFDD0},
		{"机构\U0010FFFF", 0x10FFFF},
		{"机构\U0002FFFE", 0x2FFFE},
		{"机构\uFDCF\uFDF0\uFFFD\uE000", 0}, // neighbours, the replacement character, private use
	} {
		r, ok := ControlRune(c.in)
		if r != c.want || ok != (c.want != 0) {
			t.Errorf("ControlRune(%q) = %U %v, want %U", c.in, r, ok, c.want)
		}
	}
}

func TestShowControls(t *testing.T) {
	for in, want := range map[string]string{
		"禹州机构":                     "禹州机构",
		"\x1b[2J\x1b[31m禹州假机构\x07": `\x1b[2J\x1b[31m禹州假机构\x07`,
		"a\tb\nc":                  `a\x09b\x0ac`,
		"\u009b2J":                 `\u009b2J`,
	} {
		if got := ShowControls(in); got != want {
			t.Errorf("ShowControls(%q) = %q, want %q", in, got, want)
		}
	}
}
