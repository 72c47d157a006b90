package calendar

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"ggzy/internal/apperr"
)

// ParseCSV reads a holiday table with the header "date,kind,name". Errors are
// Chinese and name the line, since operators edit these files by hand.
func ParseCSV(r io.Reader) ([]Day, error) {
	return parseCSV(r, "")
}

// LoadDir reads and merges every *.csv file in dir. Repeating a date with the
// same kind is fine (overlapping tables); conflicting kinds are an error. A
// directory without tables is an error: silently counting every period as
// provisional would hide a deployment mistake.
func LoadDir(dir string) ([]Day, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, apperr.New(apperr.Internal, "无法读取节假日表目录%s。", dir).Wrap(err)
	}
	type seen struct {
		kind DayKind
		file string
	}
	byDate := map[string]seen{}
	var all []Day
	files := 0
	for _, e := range entries { // ReadDir sorts by name, so "later" is well defined
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
			continue
		}
		files++
		days, err := loadFile(filepath.Join(dir, e.Name()), e.Name())
		if err != nil {
			return nil, err
		}
		for _, d := range days {
			if prev, ok := byDate[d.Date]; ok {
				if prev.kind != d.Kind {
					return nil, apperr.New(apperr.Invalid, "节假日表冲突：%s在%s中为“%s”，在%s中为“%s”。",
						d.Date, prev.file, prev.kind, e.Name(), d.Kind)
				}
				continue
			}
			byDate[d.Date] = seen{d.Kind, e.Name()}
			all = append(all, d)
		}
	}
	if files == 0 {
		return nil, apperr.New(apperr.Invalid, "节假日表目录%s中没有CSV文件。", dir)
	}
	return all, nil
}

func loadFile(path, name string) ([]Day, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, apperr.New(apperr.Internal, "无法打开节假日表%s。", name).Wrap(err)
	}
	defer f.Close()
	return parseCSV(f, name)
}

// parseCSV names source (a file name, or "" for a bare reader) in errors.
func parseCSV(r io.Reader, source string) ([]Day, error) {
	where := func(line int) string {
		if source == "" {
			return "节假日表第" + strconv.Itoa(line) + "行"
		}
		return "节假日表" + source + "第" + strconv.Itoa(line) + "行"
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // field count is checked below, with a Chinese message
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, apperr.New(apperr.Invalid, "%s：文件为空，缺少表头“date,kind,name”。", where(1))
	}
	if err != nil {
		return nil, csvError(err, where)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF") // BOM from spreadsheet exports
	}
	if len(header) != 3 || trim(header[0]) != "date" || trim(header[1]) != "kind" || trim(header[2]) != "name" {
		line, _ := cr.FieldPos(0)
		return nil, apperr.New(apperr.Invalid, "%s：表头应为“date,kind,name”，实为“%s”。", where(line), strings.Join(header, ","))
	}
	type first struct {
		line int
		kind DayKind
	}
	firstOf := map[string]first{}
	var days []Day
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return days, nil
		}
		if err != nil {
			return nil, csvError(err, where)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 3 {
			return nil, apperr.New(apperr.Invalid, "%s：应有3列（date,kind,name），实有%d列。", where(line), len(rec))
		}
		d := Day{Date: trim(rec[0]), Kind: DayKind(trim(rec[1])), Name: trim(rec[2])}
		if _, e := validateDay(d); e != nil {
			return nil, apperr.New(apperr.Invalid, "%s：%s", where(line), e.Message)
		}
		if prev, ok := firstOf[d.Date]; ok {
			if prev.kind != d.Kind {
				return nil, apperr.New(apperr.Invalid, "%s：%s已在第%d行列为“%s”，此处又列为“%s”。",
					where(line), d.Date, prev.line, prev.kind, d.Kind)
			}
			continue
		}
		firstOf[d.Date] = first{line, d.Kind}
		days = append(days, d)
	}
}

func csvError(err error, where func(int) string) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return apperr.New(apperr.Invalid, "%s：CSV格式错误（多余或未闭合的引号）。", where(pe.Line)).Wrap(err)
	}
	return apperr.New(apperr.Internal, "读取节假日表失败。").Wrap(err)
}

func trim(s string) string { return strings.TrimSpace(s) }
