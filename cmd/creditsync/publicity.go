package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/transform"
)

// publicityConfig is the [publicity] table of creditsync.toml: how the
// public reaches the city bureau, printed on the public list under the
// table, and in [publicity.counties.CODE] how it reaches a county's
// bureau, printed on that county's list instead.
type publicityConfig struct {
	publicityContact
	Counties map[string]publicityContact `toml:"counties"`
}

// publicityContact is one bureau's contact. An empty key is left out of
// the list.
type publicityContact struct {
	Contact string `toml:"contact"` // 联系人
	Phone   string `toml:"phone"`   // 联系电话
	Address string `toml:"address"` // 通讯地址
	Email   string `toml:"email"`   // 电子邮箱
}

func (c publicityContact) public() report.PublicContact {
	return report.PublicContact{Person: c.Contact, Phone: c.Phone, Address: c.Address, Email: c.Email}
}

// check refuses a county entry the lists would never print or would
// print wrongly: a code that is no current county of Xuchang's (the
// county lists go by transform.XuchangCounties), and an entry with no
// field, which would take the city's contact off its county's list
// without giving another. text is the file's, for the lines.
func (p publicityConfig) check(text string) error {
	var bad []string
	for _, code := range slices.Sorted(maps.Keys(p.Counties)) {
		k := toml.Key{"publicity", "counties", code}
		name := k.String()
		if line := keyLine(text, k); line > 0 {
			name += fmt.Sprintf(" at line %d", line)
		}
		if why := notACounty(code); why != "" {
			bad = append(bad, name+": "+why)
		} else if p.Counties[code] == (publicityContact{}) {
			bad = append(bad, name+": gives none of contact, phone, address, email (remove it for the county's list to print the city bureau's contact)")
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return errors.New(strings.Join(bad, "; "))
}

// notACounty says why code names no county whose list prints its own
// contact, or "" when it names one.
func notACounty(code string) string {
	var want []string
	for _, c := range transform.XuchangCounties() {
		if c.Code == code {
			return ""
		}
		want = append(want, c.Code+" "+c.Name)
	}
	switch {
	case code == transform.CityCode:
		return code + " is the city bureau's own institutions (市本级), whose list prints [publicity]'s contact"
	case transform.CurrentCountyCode(code) != code:
		current := transform.CurrentCountyCode(code)
		return fmt.Sprintf("%s is a withdrawn code: its area is %s %s's; write %s", code, current, transform.CountyName(current), current)
	}
	return "not a county of Xuchang: want one of " + strings.Join(want, ", ")
}

// publicContacts reads [publicity] from the configuration file. A missing
// default file means no contact is printed; a misspelt key or a county
// code that is none of Xuchang's is an error (checkConfig), so a phone
// number never silently goes missing from the published list.
func (a *app) publicContacts() (report.PublicContacts, error) {
	path, explicit := a.configPath()
	var cfg struct {
		Publicity publicityConfig `toml:"publicity"`
	}
	_, err := toml.DecodeFile(path, &cfg)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return report.PublicContacts{}, nil
	}
	if err != nil {
		return report.PublicContacts{}, fmt.Errorf("config %s: %w", path, err)
	}
	if err := checkConfig(path); err != nil {
		return report.PublicContacts{}, err
	}
	p := cfg.Publicity
	out := report.PublicContacts{City: p.public(), Counties: map[string]report.PublicContact{}}
	for code, c := range p.Counties {
		out.Counties[code] = c.public()
	}
	return out, nil
}

// buildPublicList builds the public list of unit u on day with its
// bureau's contact from the configuration.
func (a *app) buildPublicList(ctx context.Context, src report.Source, u report.Unit, day, now time.Time) (*report.PublicList, error) {
	contacts, err := a.publicContacts()
	if err != nil {
		return nil, err
	}
	l, err := report.BuildPublicList(ctx, src, u, day, now)
	if err != nil {
		return nil, err
	}
	l.Contact = contacts.For(u)
	return l, nil
}
