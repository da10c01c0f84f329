package auth

import (
	"strings"
	"unicode"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/match"
)

// MinPasswordScore is the least zxcvbn score (0–4) a new password must
// reach: 3 means at least 10⁸ guesses, safe against online guessing and
// costly offline against argon2id. zxcvbn knows the 30,000 most common
// passwords (from breaches), common words, names and surnames, keyboard
// patterns, repeats, sequences and dates.
//
// github.com/trustelem/zxcvbn is a faithful Go port of zxcvbn 4.4.2 (the
// reference, itself unchanged since 2017) with its word lists: it gives the
// reference implementation's scores, which the maintained forks of the
// older nbutton23 port do not.
const MinPasswordScore = 3

// maxEstimateLen bounds the work of the estimate: zxcvbn's matching grows
// with the square of the length, and a password longer than this is strong
// by length alone if its first part is.
const maxEstimateLen = 64

// passwordStrength estimates password against the lists and the person's
// own details, returning the score and, below MinPasswordScore, a plain
// sentence saying why it is easy to guess and what to do instead.
func passwordStrength(password string, userInputs []string) (score int, why string) {
	p := []rune(password)
	if len(p) > maxEstimateLen {
		p = p[:maxEstimateLen]
	}
	var inputs []string
	for _, in := range userInputs {
		// Whole values and their parts: "grace.hopper@example.org" gives
		// "grace", "hopper", "example" too.
		in = strings.ToLower(strings.TrimSpace(in))
		if in == "" {
			continue
		}
		inputs = append(inputs, in)
		for _, part := range strings.FieldsFunc(in, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if len([]rune(part)) >= 3 {
				inputs = append(inputs, part)
			}
		}
	}
	res := zxcvbn.PasswordStrength(string(p), inputs)
	if res.Score >= 4 || res.Score >= MinPasswordScore && !hasUserInput(res.Sequence) {
		return res.Score, ""
	}
	// Below the minimum; or only just above it with the person's own name
	// or address in it ("gracehopper1234"), which is what an attacker who
	// targets them tries first.
	return res.Score, strengthFeedback(res.Sequence)
}

func hasUserInput(seq []*match.Match) bool {
	for _, m := range seq {
		if m.Pattern == "dictionary" && m.DictionaryName == "user_inputs" {
			return true
		}
	}
	return false
}

// strengthFeedback words zxcvbn's findings as one or two sentences, after
// zxcvbn's own feedback rules: the longest guessable part decides the
// warning.
func strengthFeedback(seq []*match.Match) string {
	const more = "Add another word or two; uncommon words are better, and a few unrelated words make a password that is long, easy to remember and hard to guess."
	var longest *match.Match
	for _, m := range seq {
		if m.Pattern == "bruteforce" {
			continue
		}
		if longest == nil || len([]rune(m.Token)) > len([]rune(longest.Token)) {
			longest = m
		}
	}
	if longest == nil {
		return "This password is easy to guess. " + more
	}
	for _, m := range seq {
		if m.Pattern == "dictionary" && m.DictionaryName == "user_inputs" {
			longest = m
			break
		}
	}
	warning := ""
	switch longest.Pattern {
	case "dictionary":
		warning = dictionaryWarning(longest, len(seq) == 1)
	case "spatial":
		if longest.Turns == 1 {
			warning = "Straight rows of keys on the keyboard are easy to guess."
		} else {
			warning = "Short keyboard patterns are easy to guess."
		}
	case "repeat":
		if len([]rune(longest.BaseToken)) == 1 {
			warning = `Repeated characters like "aaa" are easy to guess.`
		} else {
			warning = `Repeats like "abcabcabc" are only slightly harder to guess than "abc".`
		}
	case "sequence":
		warning = "Sequences like abc or 6543 are easy to guess."
	case "regex":
		warning = "Recent years are easy to guess."
	case "date":
		warning = "Dates are easy to guess."
	default:
		warning = "This password is easy to guess."
	}
	var tips []string
	if longest.Pattern == "dictionary" {
		word := []rune(longest.Token)
		switch {
		case len(word) > 1 && unicode.IsUpper(word[0]) && strings.ToLower(string(word[1:])) == string(word[1:]):
			tips = append(tips, "A capital first letter does not help much.")
		case strings.ToUpper(longest.Token) == longest.Token && strings.ToLower(longest.Token) != longest.Token:
			tips = append(tips, "All capitals are almost as easy to guess as all lower case.")
		}
		if longest.Reversed {
			tips = append(tips, "Words spelt backwards are not much harder to guess.")
		}
		if longest.L33t {
			tips = append(tips, `Predictable substitutions like "@" for "a" do not help much.`)
		}
	}
	return strings.Join(append(append([]string{warning}, tips...), more), " ")
}

func dictionaryWarning(m *match.Match, alone bool) string {
	switch m.DictionaryName {
	case "passwords":
		switch {
		case !alone:
			return "It is close to a commonly used password."
		case m.Rank <= 10:
			return "It is one of the 10 most common passwords."
		case m.Rank <= 100:
			return "It is one of the 100 most common passwords."
		default:
			return "It is a very common password."
		}
	case "user_inputs":
		return "It contains your own name or e-mail address."
	case "english_wikipedia":
		if alone {
			return "A single word is easy to guess."
		}
		return "Common words are easy to guess."
	case "surnames", "male_names", "female_names":
		if alone {
			return "Names and surnames on their own are easy to guess."
		}
		return "Common names and surnames are easy to guess."
	default:
		return "Common words are easy to guess."
	}
}
