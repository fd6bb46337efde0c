package metrics

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// evalExpr evaluates the arithmetic of a hand-computed expectation in an
// indicator fixture, such as "3/7", "100 * 4.42 / 7" or
// "20/6 - z*sqrt(8/3)/sqrt(6)": numbers, + - * / and parentheses, unary
// minus, sqrt(…), the constant z (the 0.975 normal quantile, zR) and the
// names of the fixture's let: section. It is written for the fixtures
// alone, so that an expectation can be the hand calculation itself rather
// than its decimal result.
func evalExpr(s string, vars map[string]float64) (float64, error) {
	p := &exprParser{src: s, vars: vars}
	v, err := p.sum()
	if err != nil {
		return 0, fmt.Errorf("expression %q: %w", s, err)
	}
	p.space()
	if p.pos < len(p.src) {
		return 0, fmt.Errorf("expression %q: unexpected %q at %d", s, p.src[p.pos:], p.pos)
	}
	return v, nil
}

// exprParser is a recursive-descent parser over src.
type exprParser struct {
	src  string
	pos  int
	vars map[string]float64
}

func (p *exprParser) space() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

// peek returns the next non-blank byte, or 0 at the end.
func (p *exprParser) peek() byte {
	p.space()
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// sum = product {(+|-) product}.
func (p *exprParser) sum() (float64, error) {
	v, err := p.product()
	for err == nil {
		op := p.peek()
		if op != '+' && op != '-' {
			return v, nil
		}
		p.pos++
		var w float64
		if w, err = p.product(); op == '+' {
			v += w
		} else {
			v -= w
		}
	}
	return 0, err
}

// product = unary {(*|/) unary}.
func (p *exprParser) product() (float64, error) {
	v, err := p.unary()
	for err == nil {
		op := p.peek()
		if op != '*' && op != '/' {
			return v, nil
		}
		p.pos++
		var w float64
		if w, err = p.unary(); op == '*' {
			v *= w
		} else {
			v /= w
		}
	}
	return 0, err
}

// unary = [-] atom.
func (p *exprParser) unary() (float64, error) {
	if p.peek() == '-' {
		p.pos++
		v, err := p.unary()
		return -v, err
	}
	return p.atom()
}

// atom = number | name | sqrt(sum) | (sum).
func (p *exprParser) atom() (float64, error) {
	c := p.peek()
	switch {
	case c == '(':
		p.pos++
		v, err := p.sum()
		if err != nil {
			return 0, err
		}
		if p.peek() != ')' {
			return 0, fmt.Errorf("missing ) at %d", p.pos)
		}
		p.pos++
		return v, nil
	case c >= '0' && c <= '9' || c == '.':
		start := p.pos
		for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == '.' ||
			p.src[p.pos] == 'e' || (p.src[p.pos] == '-' || p.src[p.pos] == '+') && p.src[p.pos-1] == 'e') {
			p.pos++
		}
		return strconv.ParseFloat(p.src[start:p.pos], 64)
	case c == '_' || unicode.IsLetter(rune(c)):
		start := p.pos
		for p.pos < len(p.src) && (p.src[p.pos] == '_' || unicode.IsLetter(rune(p.src[p.pos])) || unicode.IsDigit(rune(p.src[p.pos]))) {
			p.pos++
		}
		name := p.src[start:p.pos]
		if name == "sqrt" {
			if p.peek() != '(' {
				return 0, fmt.Errorf("sqrt without ( at %d", p.pos)
			}
			v, err := p.atom()
			return math.Sqrt(v), err
		}
		if name == "z" {
			return zR, nil
		}
		if v, ok := p.vars[name]; ok {
			return v, nil
		}
		return 0, fmt.Errorf("unknown name %q (known: z, sqrt and the let: names %s)", name, strings.Join(sortedKeys(p.vars), ", "))
	}
	return 0, fmt.Errorf("unexpected %q at %d", c, p.pos)
}
