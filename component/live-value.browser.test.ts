import { expect } from '@esm-bundle/chai';
import { html, nothing, render } from 'lit';
import { LiveValue, show } from './live-value.js';

describe('LiveValue and show()', () => {
  let container: HTMLElement;
  beforeEach(() => {
    container = document.createElement('div');
    document.body.append(container);
  });
  afterEach(() => container.remove());

  it('shows the value, in a child and an attribute, and each change at once, without a render', () => {
    const text = new LiveValue('one');
    const datetime = new LiveValue<string | typeof nothing>(nothing);
    render(html`<time datetime=${show(datetime)}>${show(text)}</time>`, container);
    const time = container.querySelector('time')!;
    expect(time.textContent).to.equal('one');
    expect(time.hasAttribute('datetime')).to.equal(false);
    const node = [...time.childNodes].find((n) => n.nodeType === Node.TEXT_NODE);
    text.set('two');
    datetime.set('PT2S');
    expect(time.textContent).to.equal('two');
    expect(time.getAttribute('datetime')).to.equal('PT2S');
    // The same text node, written in place.
    expect([...time.childNodes].find((n) => n.nodeType === Node.TEXT_NODE)).to.equal(node);
    datetime.set(nothing);
    expect(time.hasAttribute('datetime')).to.equal(false);
  });

  it('a render after changes shows the value now (Lit knows what the part holds)', () => {
    const text = new LiveValue('a');
    const view = (value: LiveValue<string>) => html`<b>${show(value)}</b>`;
    render(view(text), container);
    text.set('b');
    // Lit's own value for the part is 'b' now: setting 'a' again must show, not be skipped as unchanged.
    text.set('a');
    render(view(text), container);
    expect(container.querySelector('b')!.textContent).to.equal('a');
    // Another source in the same part: its value shows, and the first one's changes no more.
    const other = new LiveValue('x');
    render(view(other), container);
    text.set('c');
    expect(container.querySelector('b')!.textContent).to.equal('x');
    other.set('y');
    expect(container.querySelector('b')!.textContent).to.equal('y');
  });

  it('stops when its part is removed, and takes up what changed meanwhile when it is back', () => {
    const text = new LiveValue('first');
    const root = render(html`<b>${show(text)}</b>`, container);
    const b = container.querySelector('b')!;
    root.setConnected(false);
    text.set('while away');
    expect(b.textContent, 'a disconnected part is not written').to.equal('first');
    root.setConnected(true);
    expect(b.textContent).to.equal('while away');
    text.set('back');
    expect(b.textContent).to.equal('back');
    // Replaced by another template: the old part takes no more values.
    render(html`<i>gone</i>`, container);
    text.set('after');
    expect(b.textContent).to.equal('back');
    expect(container.textContent).to.equal('gone');
  });
});
