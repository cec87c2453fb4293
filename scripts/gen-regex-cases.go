// gen-regex-cases records how Go's regexp package matches a corpus of relabel
// regexes (hand-picked edge cases plus seeded random patterns) against a set
// of subjects, anchored exactly as Alloy anchors them. tests/unit/test_re2_translate.c
// replays the file against pyrojava's RE2 -> PCRE2 translation.
//
//	go run scripts/gen-regex-cases.go > tests/data/relabel/regex_cases.txt
//
// Line format: hex(pattern) hex(subject) result, where result is E (Go rejects
// the pattern), - (no match) or M followed by start,end offsets per group (-1 unset);
// lines for valid patterns end with =hex(ReplaceAllString(subject, "<$1|$0>")).
package main

import (
	"encoding/hex"
	"fmt"
	"math/rand"
	"regexp"
	"strings"
)

var handPicked = []string{
	`(.*)`, `a|ab`, `ab|a`, `(a|ab)(c|bcd)(d*)`, `(a*)*`, `(a*)+`, `(a|b)*`, `(a+|b+)*c`, `a*?`, `(a*?)(a*)`,
	`x*`, `^`, `$`, `^$`, `(?m)^$`, `(?m)^a$`, `(?m)a$\n^b`, `a$`, `a\z`, `\Aa`, `\ba\b`, `\Ba`, `\b`,
	`.`, `..`, `(?-s).`, `(?-s:.)*`, `[^a]`, `[^a]*`, `\s`, `\s+`, `\S+`, `[\s]`, `[\S]`, `[^\s]`, `\v`, `[\v]`,
	`\d+`, `\D`, `\w+`, `\W`, `[\w-]+`, `[\d-z]`, `[-a]`, `[a-]`, `[]a]`, `[^]a]`, `[a-c-e]`, `[%--]`,
	`[[:alpha:]]+`, `[[:^alpha:]]`, `[[:word:]]`, `[[:space:]]`, `[[:punct:]]+`, `[:alpha:]`, `[[:foo:]]`,
	`\pL+`, `\PL`, `\p{Greek}`, `\p{^Greek}`, `\P{Greek}`, `\p{Lu}`, `\p{greek}`, `\p{L`, `\pZ`, `\p{C}`,
	`\P{C}`, `[\p{C}]`, `\p{Any}`, `\P{Any}`, `[\P{Any}]`, `[^\P{Any}]`, `[a\P{Any}]`, `\p{Han}`,
	`(?i)k`, `(?i)s`, `(?i)K`, `(?i)[k]`, `(?i)[^k]`, `(?i)[a-z]+`, `(?i)\w`, `(?i)\W`, `(?i)[\w]`,
	`(?i)[[:upper:]]`, `(?i)[[:lower:]]+`, `(?i)α`, `(?i)Σ`, `(?i)\pL`, `(?i:a)b`, `a(?i)b`, `(?i)a(?-i)b`,
	`(?i)(?-i:a)`, `(?U)a*`, `(?U)a*?`, `(?U)(a+)(a*)`, `(?s-m:.)`, `(?)`, `(?)a`, `(?i)`, `(?-)`, `(?i-)`,
	`(?x)a`, `(?#c)`, `(?=a)`, `(?!a)`, `(?<=a)`, `(?<!a)`, `(?>a)`, `(?P<n>a)`, `(?P<n>a)(?P<n>b)`,
	`(?P<1>a)`, `(?P<>a)`, `(?P<a-b>x)`, `(?P=n)`, `(?P>n)`, `(?'n'a)`, `(?|a)`, `(?R)`, `(?1)`,
	`a**`, `a*+`, `a++`, `a?+`, `a+?`, `a*??`, `a{2}{3}`, `a{2}*`, `a*{2}`, `*a`, `(*)`, `|*`, `^*a`, `$*`,
	`\b*a`, `(^)*a`, `x{2}`, `x{2,}`, `x{2,3}`, `x{,3}`, `x{`, `x{2`, `x{2,`, `x{a}`, `x{02}`, `x{1000}`,
	`x{1001}`, `x{3,2}`, `x{2}?`, `{`, `}`, `a{,}`, `\x41`, `\x{41}`, `\x{}`, `\x{110000}`, `\x4`, `\x4g`,
	`\101`, `\0`, `\08`, `\1`, `\12`, `\8`, `\a\f\t\n\r\v`, `\e`, `\Z`, `\G`, `\K`, `\R`, `\h`, `\N`, `\X`,
	`\C`, `\_`, `\-`, `\.`, `\Q.*\E`, `\Q.*`, `\Qa\E*`, `\Q\E*`, `a\Q\E*`, `[\b]`, `[\Q]`, `[\A]`, `[\z]`,
	`[\x{3b1}-\x{3c9}]+`, `[z-a]`, `\`, `a\`, `(`, `)`, `a)`, `(a`, `[a`, `[`, `]`, `a]`, `(?:a|b)+`,
	`((((a))))`, `(a)|b`, `(a)|(b)`, `()`, `(|a)`, `a||b`, `ſ`, `K`, `\x{212A}`, `.*\n.*`, "\xff", "a\xffb",
	`[^\n]*`, `(?m:$)`, `(?m)$`, `\$`, `a$$`, `^^a`, `(?i)ǅ`, `(?i)ǆ`, `[[:^word:]]`, `(?i)[[:^lower:]]`,
	`\pN`, `\p{Nd}+`, `[\d\D]`, `[^\d\D]`, `[\pL\d]+`, `(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)`,
	`(a{100}){100}`, `(a{10}){100}`, `(a{10}){101}`, `(a{2}b{500}){2}`, `(a{2}b{501}){2}`, `(a{0}){1000}`,
	`(a{0,}){1000}`, `(a{1,}){1001}`, `(a{2,}){501}`, `(a{2,}){500}`, `((a{5}){5}){40}`, `((a{5}){5}){41}`,
	`(a*){1000}`, `(a{1000})*`, `(a{1000}){1}`, `(a{1000}){0,1}`, `(a{1000}){0}`, `(?:a{10}|b{200}){5}`,
	`(?:a{10}|b{201}){5}`, `a{1000}b{1000}`,
}

var subjects = []string{
	"", "a", "ab", "abc", "aa", "aaa", "abcd", "b", "k", "K", "\u212a", "s", "S", "\u017f", "α", "Σ", "σ",
	"\n", "a\n", "\na", "a\nb", "\v", " ", "\t", "1", "12", "a1_", "-", "a-", ".*", "x", "xx", "xxx",
	"\xff", "a\xffb", "\u01c5", "\u01c6", "\u0378", "A", "\x00", "é", "中", "]", "{", "$",
}

var tokens = []string{
	"a", "b", "c", "k", "s", "α", "ſ", ".", `\d`, `\w`, `\W`, `\s`, `\S`, `\b`, `\B`, "^", "$", `\A`, `\z`,
	"[abc]", "[^a]", "[a-c]", "[[:alpha:]]", `\pL`, `\p{Greek}`, `\PL`, "(", "(", "(?:", "(?i)", "(?i:",
	"(?m)", "(?-s)", "(?U)", "(?P<n>", ")", ")", "|", "*", "+", "?", "*?", "+?", "{2}", "{1,3}", "{,2}",
	`\x{3b1}`, `\v`, `\Q.*\E`, "\n", " ", `\n`, "[k]", "(?i)[^k]", `[\s\d]`,
}

const replaceTemplate = "<$1|$0>"

func caseLine(pattern, subject string) string {
	res := "E"
	if re, err := regexp.Compile("^(?s:" + pattern + ")$"); err == nil {
		m := re.FindStringSubmatchIndex(subject)
		if m == nil {
			res = "-"
		} else {
			parts := make([]string, 0, len(m)/2)
			for i := 0; i < len(m); i += 2 {
				parts = append(parts, fmt.Sprintf("%d,%d", m[i], m[i+1]))
			}
			res = "M " + strings.Join(parts, " ")
		}
		res += " =" + hex.EncodeToString([]byte(re.ReplaceAllString(subject, replaceTemplate)))
	}
	return fmt.Sprintf("%s %s %s", hex.EncodeToString([]byte(pattern)), hex.EncodeToString([]byte(subject)), res)
}

func randomPattern(r *rand.Rand) string {
	n := 1 + r.Intn(6)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(tokens[r.Intn(len(tokens))])
	}
	return b.String()
}

func randomSubject(r *rand.Rand) string {
	alphabet := []string{"a", "b", "c", "k", "K", "\u212a", "s", "ſ", "α", "Α", "1", "_", " ", "\n", "\v", "\xff", "-", ".", "*"}
	n := r.Intn(7)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(alphabet[r.Intn(len(alphabet))])
	}
	return b.String()
}

func main() {
	fmt.Println("# Generated by scripts/gen-regex-cases.go; do not edit.")
	for _, p := range handPicked {
		for _, s := range subjects {
			fmt.Println(caseLine(p, s))
		}
	}
	r := rand.New(rand.NewSource(20261126))
	for i := 0; i < 500; i++ {
		p := randomPattern(r)
		for j := 0; j < 6; j++ {
			fmt.Println(caseLine(p, randomSubject(r)))
		}
	}
}
