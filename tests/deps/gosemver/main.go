// Reads JSON [[a, b], ...] on stdin; prints one JSON line per pair:
// {"valid": [IsValid(a), IsValid(b)], "cmp": Compare(a, b), "canonical": Canonical(a), "pseudo": IsPseudoVersion(a), "base": PseudoVersionBase(a)}
package main

import (
	"encoding/json"
	"os"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

type out struct {
	ValidA    bool   `json:"valid_a"`
	ValidB    bool   `json:"valid_b"`
	Cmp       int    `json:"cmp"`
	Canonical string `json:"canonical"`
	Pseudo    bool   `json:"pseudo"`
	Base      string `json:"base"`
	BaseErr   bool   `json:"base_err"`
}

func main() {
	var pairs [][2]string
	if err := json.NewDecoder(os.Stdin).Decode(&pairs); err != nil {
		panic(err)
	}
	res := make([]out, 0, len(pairs))
	for _, p := range pairs {
		o := out{ValidA: semver.IsValid(p[0]), ValidB: semver.IsValid(p[1]), Cmp: semver.Compare(p[0], p[1]),
			Canonical: semver.Canonical(p[0]), Pseudo: module.IsPseudoVersion(p[0])}
		if o.Pseudo {
			b, err := module.PseudoVersionBase(p[0])
			o.Base, o.BaseErr = b, err != nil
		}
		res = append(res, o)
	}
	json.NewEncoder(os.Stdout).Encode(res)
}
