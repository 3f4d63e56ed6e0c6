package store

import (
	"fmt"
	"math"
	"time"
)

// Assign stores a decoded value (see Rows) into dest, a pointer. Accepted
// destinations: *any, *string, *bool, *int, *int64, *int32, *uint64, *uint32,
// *uint16, *uint8, *float64, *time.Time, **time.Time (nil for NULL) and
// *[]string. NULL becomes the zero value except for *any and **time.Time.
func Assign(dest any, v any) error {
	switch d := dest.(type) {
	case *any:
		*d = v
		return nil
	case **time.Time:
		if v == nil {
			*d = nil
			return nil
		}
		t, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("cannot scan %T into *time.Time", v)
		}
		*d = &t
		return nil
	}
	if v == nil {
		return assignZero(dest)
	}
	switch d := dest.(type) {
	case *string:
		switch x := v.(type) {
		case string:
			*d = x
		case time.Time:
			*d = formatTime(x)
		default:
			*d = fmt.Sprint(x)
		}
		return nil
	case *bool:
		switch x := v.(type) {
		case bool:
			*d = x
		case int64:
			*d = x != 0
		case uint64:
			*d = x != 0
		default:
			return fmt.Errorf("cannot scan %T into *bool", v)
		}
		return nil
	case *time.Time:
		t, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("cannot scan %T into *time.Time", v)
		}
		*d = t
		return nil
	case *float64:
		switch x := v.(type) {
		case float64:
			*d = x
		case int64:
			*d = float64(x)
		case uint64:
			*d = float64(x)
		default:
			return fmt.Errorf("cannot scan %T into *float64", v)
		}
		return nil
	case *[]string:
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("cannot scan %T into *[]string", v)
		}
		out := make([]string, len(arr))
		for i, e := range arr {
			if err := Assign(&out[i], e); err != nil {
				return err
			}
		}
		*d = out
		return nil
	}
	i, err := asInt(v)
	if err != nil {
		return fmt.Errorf("cannot scan into %T: %w", dest, err)
	}
	return assignInt(dest, i)
}

func asInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("%d overflows int64", x)
		}
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case float64:
		if x != math.Trunc(x) {
			return 0, fmt.Errorf("%v is not an integer", x)
		}
		return int64(x), nil
	}
	return 0, fmt.Errorf("value of type %T is not a number", v)
}

func assignInt(dest any, i int64) error {
	inRange := func(lo, hi int64) error {
		if i < lo || i > hi {
			return fmt.Errorf("%d out of range for %T", i, dest)
		}
		return nil
	}
	switch d := dest.(type) {
	case *int:
		*d = int(i)
	case *int64:
		*d = i
	case *int32:
		if err := inRange(math.MinInt32, math.MaxInt32); err != nil {
			return err
		}
		*d = int32(i)
	case *uint64:
		if err := inRange(0, math.MaxInt64); err != nil {
			return err
		}
		*d = uint64(i)
	case *uint32:
		if err := inRange(0, math.MaxUint32); err != nil {
			return err
		}
		*d = uint32(i)
	case *uint16:
		if err := inRange(0, math.MaxUint16); err != nil {
			return err
		}
		*d = uint16(i)
	case *uint8:
		if err := inRange(0, math.MaxUint8); err != nil {
			return err
		}
		*d = uint8(i)
	default:
		return fmt.Errorf("unsupported scan destination %T", dest)
	}
	return nil
}

func assignZero(dest any) error {
	switch d := dest.(type) {
	case *string:
		*d = ""
	case *bool:
		*d = false
	case *time.Time:
		*d = time.Time{}
	case *float64:
		*d = 0
	case *[]string:
		*d = nil
	default:
		return assignInt(dest, 0)
	}
	return nil
}

// ScanRow assigns values to dest positionally.
func ScanRow(values []any, dest ...any) error {
	if len(dest) != len(values) {
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(values))
	}
	for i := range dest {
		if err := Assign(dest[i], values[i]); err != nil {
			return fmt.Errorf("scan column %d: %w", i+1, err)
		}
	}
	return nil
}
