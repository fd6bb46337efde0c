package reports

import (
	"context"
	"path/filepath"
	"testing"
	"os"

	"github.com/chromedp/chromedp"
)

func TestDbgTip(t *testing.T) {
	d := synthData(synthSpec{districts: 2, streets: 3, communities: 4, months: 18, residentScore: true, threeRates: true, seed: 7})
	d.Communities[1].Name = hostileScript
	dir := t.TempDir()
	if err := Render(dir, d, Options{}); err != nil { t.Fatal(err) }
	alloc, c1 := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(chromiumPath), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.UserDataDir(t.TempDir()))
	defer c1()
	ctx, c2 := chromedp.NewContext(alloc)
	defer c2()
	_ = os.Stdout
	err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(fileURL(filepath.Join(dir, "scorecards", scorecardFileName(d.Communities[1].ID)))))
	if err != nil { t.Fatal(err) }
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){
  var c = window.civicscoreCharts[0];
  var n = c.getOption().xAxis[0].data.length;
  var before = document.documentElement.scrollWidth;
  var tipEl=null; c.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: n - 1}); var mid = document.documentElement.scrollWidth; var tip = c.getDom().querySelector('div[style*="z-index: 9999999"]'); var exp=[]; tip.style.willChange='auto'; exp.push('nowill '+document.documentElement.scrollWidth); tip.style.transform='none'; exp.push('notransform '+document.documentElement.scrollWidth); tip.style.boxShadow='none'; exp.push('noshadow '+document.documentElement.scrollWidth); tip.style.display='none'; exp.push('none '+document.documentElement.scrollWidth); mid = mid + ' ' + exp.join(','); var all = Array.from(document.querySelectorAll('*')).map(function(e){var r=e.getBoundingClientRect(); return [e.tagName, Math.round(r.right)]}).filter(function(x){return x[1]>380}); before = before + ' mid ' + mid + ' wide:' + JSON.stringify(all) + ' vv ' + visualViewport.width + ' scale ' + visualViewport.scale + ' docw ' + document.documentElement.getBoundingClientRect().width;
  var out = document.body.scrollWidth + " body; " + Array.from(document.querySelectorAll("*")).filter(function(e){return e.scrollWidth>390}).map(function(e){return e.tagName+"."+e.className+":"+e.scrollWidth}).join(",") + " | before " + before + ' after ' + document.documentElement.scrollWidth + ' inner ' + window.innerWidth + ' | ';
  Array.from(c.getDom().querySelectorAll('*')).forEach(function(el){ var r = el.getBoundingClientRect(); out += el.tagName + ' ' + Math.round(r.left) + '..' + Math.round(r.right) + ' sw=' + el.scrollWidth + ' ' + (el.getAttribute('style')||'').slice(0,2000) + '\n'; });
  return out;
})()`))
	if err != nil { t.Fatal(err) }
	t.Log(s)
}
