import { FaultController, FaultInputError } from './fault-controller';

describe('FaultController', () => {
  it('matches rules by method and operation and consumes limited ones', () => {
    const faults = new FaultController();
    faults.addRule({ action: 'delay', method: 'invoke', operation: 'processOffer', delayMs: 50, times: 2 });
    expect(faults.take('invoke', 'gatherCandidates')).toBeUndefined();
    expect(faults.take('invoke', 'processOffer')).toMatchObject({ action: 'delay', delayMs: 50 });
    expect(faults.take('invoke', 'processOffer')).toMatchObject({ action: 'delay' });
    expect(faults.take('invoke', 'processOffer')).toBeUndefined();
    expect(faults.list()).toEqual([]);
  });

  it('rejects malformed rules and load overrides', () => {
    const faults = new FaultController();
    expect(() => faults.addRule({ action: 'explode' })).toThrow(FaultInputError);
    expect(() => faults.addRule({ action: 'error', code: 'x' })).toThrow(FaultInputError);
    expect(() => faults.addRule({ action: 'delay', delayMs: -1 })).toThrow(FaultInputError);
    expect(() => faults.setLoad({})).toThrow(FaultInputError);
    expect(faults.setLoad({ cpuPercent: 85 })).toEqual({ cpuPercent: 85 });
    faults.reset();
    expect(faults.load).toEqual({});
  });
});
