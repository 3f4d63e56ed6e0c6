package lifecycle_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/grade/gradetest"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func day(s string) time.Time { return gradetest.Day(s) }

func join(ids []string) string { return strings.Join(ids, ";") }
