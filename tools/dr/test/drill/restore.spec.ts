import { type RestoreWrite, checkRestore } from '../../src/drill/restore';

describe('checkRestore', () => {
  const corruption = { sentAt: 1_000, doneAt: 1_050 };
  const writes: RestoreWrite[] = [
    { key: 'early', account: 'a', sentAt: 900, ackedAt: 950 },
    { key: 'just-before', account: 'a', sentAt: 990, ackedAt: 999 },
    { key: 'overlapping', account: 'a', sentAt: 995, ackedAt: 1_020 },
    { key: 'failed', account: 'a', sentAt: 960, error: 'timeout' },
    { key: 'after', account: 'a', sentAt: 1_051, ackedAt: 1_060 },
  ];

  it('wants back every write acknowledged before the statement was sent and none sent after it was answered', () => {
    expect(checkRestore(writes, corruption, new Set(['early', 'just-before', 'overlapping', 'failed']))).toEqual({
      acknowledgedBefore: 2,
      acknowledgedAfter: 1,
      concurrent: 1,
      beforePresent: 2,
      afterPresent: 0,
      missingSamples: [],
      unexpectedSamples: [],
    });
  });

  it('names what is missing and what came back from after the statement', () => {
    const check = checkRestore(writes, corruption, new Set(['early', 'after']));
    expect(check).toMatchObject({ beforePresent: 1, afterPresent: 1, missingSamples: ['just-before'], unexpectedSamples: ['after'] });
  });
});

