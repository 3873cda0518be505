import { createKafka } from './kafka-client';

describe('createKafka', () => {
  it('routes kafkajs log lines to the sink at their level', () => {
    const sink = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };
    const kafka = createKafka({
      brokers: ['127.0.0.1:1'],
      clientId: 'unit',
      logLevel: 'debug',
      logSink: sink,
    });
    const logger = kafka.logger();
    logger.error('bad', { a: 1 });
    logger.info('fine');
    expect(sink.error).toHaveBeenCalledWith(expect.objectContaining({ a: 1 }), 'bad');
    expect(sink.info).toHaveBeenCalledWith(expect.any(Object), 'fine');
    expect(sink.warn).not.toHaveBeenCalled();
  });
});
