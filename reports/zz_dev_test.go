package reports

import (
	"os"
	"testing"
)

func TestDevRender(t *testing.T) {
	d := synthData(synthSpec{districts: 2, streets: 3, communities: 4, months: 18, residentScore: true, threeRates: true, seed: 1})
	d.Communities[1].Name = hostileScript
	d.Communities[2].Name = hostileImg
	dir := "/tmp/devout"
	os.RemoveAll(dir)
	os.MkdirAll(dir, 0o755)
	if err := Render(dir, d, Options{DefinitionsVersion: "v1.0", SurveyURL: "https://wj.example.cn/s/abc"}); err != nil {
		t.Fatal(err)
	}
}
