package engine
import ("testing";"context";"fmt";"strings"
"github.com/open-policy-agent/opa/v1/topdown"
"github.com/open-policy-agent/opa/v1/rego")
type counter struct{ n map[string]int; total int }
func (c *counter) Enabled() bool {return true}
func (c *counter) Config() topdown.TraceConfig {return topdown.TraceConfig{}}
func (c *counter) TraceEvent(ev topdown.Event){ if ev.Op==topdown.EvalOp { c.total++; l:=ev.Location; k:="?"; if l!=nil{k=fmt.Sprintf("%s:%d",l.File,l.Row)}; c.n[k]++ } }
func TestZZCnt(t *testing.T){
 ctx:=context.Background()
 in:=versioned(loadInput(t,"zz-bwv.json"))
 e:=newEngine(t); snap:=e.current.Load()
 bl:=ApplicableBaselines(in)
 v,_:=e.Evaluate(ctx,in,Options{Now:now})
 for _,x:=range v.Violations{fmt.Println("V",x.Baseline,x.Control,x.Message)}
 q,_:=snap.prepared(ctx,bl)
 input,key,_:=in.value(nil)
 cache:=newVirtualCache(); seeded:=snap.facts.lookup(key); seeded.seed(cache)
 c:=&counter{n:map[string]int{}}
 _,err:=q.query.Eval(ctx,rego.EvalParsedInput(input),rego.EvalTime(now),rego.EvalVirtualCache(cache),rego.EvalQueryTracer(c)); if err!=nil{t.Fatal(err)}
 fmt.Println(bl, "seeded", seeded.classes!=nil, seeded.zone!=nil, "total", c.total)
 for k,v:=range c.n{ fmt.Println("L",v,strings.TrimPrefix(k,"builtin/")) }
}
