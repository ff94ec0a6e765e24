// A self-contained static HTML file of any view: the data inlined as JSON, a small renderer in
// plain JavaScript, no server and no network. Every token and text is set with textContent, and
// the JSON is escaped so that "</script>" inside a token cannot end the data block.
import type { AttentionView, NoiseResult } from './schemas.js';

export interface ExportPayload {
  title: string;
  /** One view, or two side by side (same input, two models). */
  views: AttentionView[];
  noise?: NoiseResult;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element: no "<" (so no "</script>" or "<!--"), no line separators. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const CSS = `
:root{--bg:#fff;--fg:#1b1f24;--muted:#59636e;--line:#d1d9e0;--accent:#0969da;--panel:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--accent:#4493f8;--panel:#151b23}}
body{margin:0;padding:24px;font:14px/1.5 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.muted{color:var(--muted)}.row{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}
.panel{border:1px solid var(--line);border-radius:8px;padding:12px;background:var(--panel)}
canvas.heat{width:min(560px,90vw);height:min(560px,90vw);image-rendering:pixelated;border:1px solid var(--line)}
.grid{display:grid;gap:4px}.grid canvas{width:48px;height:48px;image-rendering:pixelated;border:1px solid var(--line)}
.tokens{display:flex;flex-wrap:wrap;gap:1px;max-height:320px;overflow:auto;font-family:ui-monospace,monospace;font-size:12px}
.tok{white-space:pre;padding:0 1px;border-radius:2px}
table{border-collapse:collapse}td,th{border-bottom:1px solid var(--line);padding:2px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}select,button{font:inherit}
`;

// Plain ES2017, no dependencies. Reads the inlined data and draws the views.
const SCRIPT = `
(function(){
var data = JSON.parse(document.getElementById('ab-data').textContent);
function el(tag, attrs, text){var e=document.createElement(tag);if(attrs)for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!==undefined)e.textContent=String(text);return e;}
function decodeTril(b64,T){var bin=atob(b64);var out=new Float32Array(T*T);var o=0;for(var t=0;t<T;t++)for(var k=0;k<=t;k++){out[t*T+k]=(bin.charCodeAt(o)|(bin.charCodeAt(o+1)<<8))/65535;o+=2;}return out;}
function paint(canvas,vals,n,m){canvas.width=m;canvas.height=n;var ctx=canvas.getContext('2d');var img=ctx.createImageData(m,n);var max=0;for(var i=0;i<vals.length;i++)if(vals[i]>max)max=vals[i];for(var i=0;i<n*m;i++){var v=max>0?Math.sqrt(vals[i]/max):0;img.data[i*4]=Math.round(255-v*246);img.data[i*4+1]=Math.round(255-v*150);img.data[i*4+2]=Math.round(255-v*37);img.data[i*4+3]=255;}ctx.putImageData(img,0,0);}
function pngButton(canvas,name){var b=el('button',{type:'button'},'Download PNG');b.addEventListener('click',function(){var a=el('a',{href:canvas.toDataURL('image/png'),download:name});document.body.appendChild(a);a.click();a.remove();});return b;}
function pct(x){return (x*100).toFixed(1)+'%';}
var root=document.getElementById('app');
data.views.forEach(function(view,vi){
  var T=view.tokens.length;var sec=el('section',{'class':'view','data-view':String(vi)});
  sec.appendChild(el('h2',null,view.model.name+' — '+view.model.architecture+', '+view.model.L+' layers × '+view.model.H+' heads, '+T+' tokens'));
  var row=el('div',{'class':'row'});
  var head=el('div',{'class':'panel head-view'});head.appendChild(el('h3',null,'Head view'));
  var sel=el('select',{'aria-label':'layer and head'});view.matrices.forEach(function(m,i){sel.appendChild(el('option',{value:String(i)},'layer '+m.layer+' · head '+m.head));});
  var canvas=el('canvas',{'class':'heat',role:'img','aria-label':'attention heatmap'});
  function draw(){var m=view.matrices[Number(sel.value)];if(m)paint(canvas,decodeTril(m.tril,T),T,T);}
  sel.addEventListener('change',draw);head.appendChild(sel);head.appendChild(el('br'));head.appendChild(canvas);head.appendChild(el('br'));head.appendChild(pngButton(canvas,'attention-head.png'));draw();
  row.appendChild(head);
  var mv=el('div',{'class':'panel model-view'});mv.appendChild(el('h3',null,'Model view'));
  var grid=el('div',{'class':'grid'});grid.style.gridTemplateColumns='repeat('+view.model.H+',48px)';
  var B=view.thumbnails.bins;view.thumbnails.data.forEach(function(layer,l){layer.forEach(function(th,h){var c=el('canvas',{title:'layer '+l+' head '+h});paint(c,th,B,B);grid.appendChild(c);});});
  mv.appendChild(grid);row.appendChild(mv);sec.appendChild(row);
  var sal=el('div',{'class':'panel saliency'});sal.appendChild(el('h3',null,'Saliency: attention of token '+view.saliency.query+' (last layer, head mean)'));
  var strip=el('div',{'class':'tokens'});var last=view.saliency.layers[view.saliency.layers.length-1]||[];var smax=0;last.forEach(function(v,i){if(i>0&&v>smax)smax=v;});
  view.tokens.forEach(function(t,i){var s=el('span',{'class':'tok',title:view.segments[t.segment].label+' · '+(last[i]||0).toFixed(4)},t.text);var a=smax>0?Math.min(1,(last[i]||0)/smax):0;s.style.background='rgba(9,105,218,'+a.toFixed(3)+')';strip.appendChild(s);});
  sal.appendChild(strip);sec.appendChild(sal);
  var segs=el('div',{'class':'panel segments'});segs.appendChild(el('h3',null,'Attention between segments (last layer, head mean)'));
  var tb=el('table');var hr=el('tr');hr.appendChild(el('th',null,'query ↓ key →'));view.segments.forEach(function(s){hr.appendChild(el('th',null,s.label));});tb.appendChild(hr);
  var ls=view.layerSegmentShares[view.layerSegmentShares.length-1]||[];view.segments.forEach(function(s,a){var tr=el('tr');tr.appendChild(el('td',null,s.label+' ('+s.tokenCount+')'));(ls[a]||[]).forEach(function(v){tr.appendChild(el('td',null,pct(v)));});tb.appendChild(tr);});
  segs.appendChild(tb);sec.appendChild(segs);root.appendChild(sec);
});
if(data.noise){var r=data.noise.report;var ns=el('section',{'class':'noise'});
  ns.appendChild(el('h2',null,'RAG attention noise'));
  ns.appendChild(el('p',{'class':'headline'},'Answer-to-noise ratio: '+(r.answerToNoise===null?'no attention on other documents':r.answerToNoise.toFixed(2))+' · answer: '+r.answer));
  var t1=el('table',{'class':'noise-layers'});var h1=el('tr');['layer','gold','noise','question','sink','other'].forEach(function(x){h1.appendChild(el('th',null,x));});t1.appendChild(h1);
  r.layers.forEach(function(s,l){var tr=el('tr');tr.appendChild(el('td',null,String(l)));[s.gold,s.noise,s.question,s.sink,s.other].forEach(function(v){tr.appendChild(el('td',null,pct(v)));});t1.appendChild(tr);});ns.appendChild(t1);
  var t2=el('table',{'class':'noise-docs'});var h2=el('tr');['document','gold','tokens','attention','log-prob drop without it'].forEach(function(x){h2.appendChild(el('th',null,x));});t2.appendChild(h2);
  r.documents.forEach(function(d){var tr=el('tr');tr.appendChild(el('td',null,d.title));tr.appendChild(el('td',null,d.gold?'yes':''));tr.appendChild(el('td',null,String(d.tokens)));tr.appendChild(el('td',null,pct(d.share)));tr.appendChild(el('td',null,d.looDrop===null?'—':d.looDrop.toFixed(3)));t2.appendChild(tr);});ns.appendChild(t2);
  if(data.noise.placements.length){var t3=el('table',{'class':'placements'});var h3=el('tr');['gold document','gold','noise','ratio','answer log-prob'].forEach(function(x){h3.appendChild(el('th',null,x));});t3.appendChild(h3);
  data.noise.placements.forEach(function(p){var tr=el('tr');tr.appendChild(el('td',null,p.placement+' (#'+(p.goldPosition+1)+')'));tr.appendChild(el('td',null,pct(p.overall.gold)));tr.appendChild(el('td',null,pct(p.overall.noise)));tr.appendChild(el('td',null,p.answerToNoise===null?'—':p.answerToNoise.toFixed(2)));tr.appendChild(el('td',null,p.answerLogprob.toFixed(3)));t3.appendChild(tr);});ns.appendChild(t3);}
  root.appendChild(ns);}
document.body.setAttribute('data-ready','true');
})();
`;

/** The whole HTML document. */
export function renderStaticHtml(payload: ExportPayload): string {
  const title = escapeHtml(payload.title);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${CSS}</style></head>
<body><h1>${title}</h1><p class="muted">Exported from Alignboard's attention lab. Self-contained: the data is inlined; no server is needed.</p>
<div id="app"></div>
<script type="application/json" id="ab-data">${jsonForScript(payload)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
