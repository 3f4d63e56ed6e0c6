package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/xuchang-hrss/creditsync/report"
)

// publicityConfig is the [publicity] table of creditsync.toml: how the
// public reaches the bureau, printed on the public list under the table.
type publicityConfig struct {
	Contact string `toml:"contact"` // 联系人
	Phone   string `toml:"phone"`   // 联系电话
	Address string `toml:"address"` // 通讯地址
	Email   string `toml:"email"`   // 电子邮箱
}

// publicContact reads [publicity] from the configuration file. A missing
// default file means no contact is printed; a misspelt key is an error, so
// a phone number never silently goes missing from the published list.
func (a *app) publicContact() (report.PublicContact, error) {
	path, explicit := a.configPath()
	var cfg struct {
		Publicity publicityConfig `toml:"publicity"`
	}
	_, err := toml.DecodeFile(path, &cfg)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return report.PublicContact{}, nil
	}
	if err != nil {
		return report.PublicContact{}, fmt.Errorf("config %s: %w", path, err)
	}
	if err := checkConfig(path); err != nil {
		return report.PublicContact{}, err
	}
	p := cfg.Publicity
	return report.PublicContact{Person: p.Contact, Phone: p.Phone, Address: p.Address, Email: p.Email}, nil
}

// buildPublicList builds the public list of unit u on day with the
// bureau's contact from the configuration.
func (a *app) buildPublicList(ctx context.Context, src report.Source, u report.Unit, day, now time.Time) (*report.PublicList, error) {
	contact, err := a.publicContact()
	if err != nil {
		return nil, err
	}
	l, err := report.BuildPublicList(ctx, src, u, day, now)
	if err != nil {
		return nil, err
	}
	l.Contact = contact
	return l, nil
}
