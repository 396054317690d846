import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GlareResolver, isInitiator, signalKind } from '../../src/transport/signaling-glare.js';

const offer = { type: 'offer', sdp: 'o' };
const answer = { type: 'answer', sdp: 'a' };
const candidate = { type: 'candidate', candidate: { candidate: 'c', sdpMid: '0' } };

describe('glare rule', () => {
  it('the lower peer id initiates, on both sides', () => {
    expect(isInitiator('a', 'b')).toBe(true);
    expect(isInitiator('b', 'a')).toBe(false);
    expect(new GlareResolver('peer-1').isInitiator('peer-2')).toBe(true);
  });

  it('classifies simple-peer signals', () => {
    expect(signalKind(offer)).toBe('offer');
    expect(signalKind(answer)).toBe('answer');
    expect(signalKind(candidate)).toBe('candidate');
    expect(signalKind({ candidate: {} })).toBe('candidate');
    expect(signalKind({ type: 'renegotiate', renegotiate: true })).toBe('other');
    expect(signalKind('offer')).toBe('other');
  });

  it('an offer without a crossing local offer is accepted', () => {
    const high = new GlareResolver('b');
    expect(high.onRemoteSignal('a', offer)).toBe('accept');
    const low = new GlareResolver('a');
    expect(low.onRemoteSignal('b', offer)).toBe('accept');
  });

  it('crossing offers: the lower id ignores the other offer and its candidates until answered', () => {
    const low = new GlareResolver('a');
    low.noteLocalSignal('b', offer);
    expect(low.onRemoteSignal('b', offer)).toBe('ignore');
    expect(low.onRemoteSignal('b', candidate)).toBe('ignore');
    expect(low.onRemoteSignal('b', answer)).toBe('accept');
    expect(low.onRemoteSignal('b', candidate)).toBe('accept');
  });

  it('crossing offers: the higher id rolls its offer back and accepts the other', () => {
    const high = new GlareResolver('b');
    high.noteLocalSignal('a', offer);
    expect(high.onRemoteSignal('a', offer)).toBe('rollback');
    expect(high.onRemoteSignal('a', candidate)).toBe('accept');
    high.noteLocalSignal('a', answer);
    // The glare is over: a later offer (renegotiation) is simply accepted.
    expect(high.onRemoteSignal('a', offer)).toBe('accept');
  });

  it('reset forgets a pending offer', () => {
    const low = new GlareResolver('a');
    low.noteLocalSignal('b', offer);
    low.reset('b');
    expect(low.onRemoteSignal('b', offer)).toBe('accept');
  });

  it('whatever the ids and arrival order of crossing offers, exactly the lower id offer survives', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]{1,8}$/),
        fc.stringMatching(/^[a-z0-9]{1,8}$/),
        fc.boolean(),
        (idX, idY, xReceivesFirst) => {
          fc.pre(idX !== idY);
          const x = new GlareResolver(idX);
          const y = new GlareResolver(idY);
          x.noteLocalSignal(idY, offer);
          y.noteLocalSignal(idX, offer);
          const order: [GlareResolver, string][] = xReceivesFirst ? [[x, idY], [y, idX]] : [[y, idX], [x, idY]];
          const actions = new Map(order.map(([receiver, sender]) => [receiver.localPeerId, receiver.onRemoteSignal(sender, offer)]));
          const [low, high] = idX < idY ? [idX, idY] : [idY, idX];
          expect(actions.get(low)).toBe('ignore'); // the higher id's offer dies
          expect(actions.get(high)).toBe('rollback'); // the lower id's offer is taken
        },
      ),
    );
  });
});
