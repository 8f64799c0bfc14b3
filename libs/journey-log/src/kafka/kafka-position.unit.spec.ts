import { kafkaPositions, kafkaRecordToken, kafkaToken, parseKafkaToken } from './kafka-position';

describe('Kafka position tokens', () => {
  it.each([
    ['k.', []],
    ['k.0:0', [[0, 0]]],
    ['k.3:1234', [[3, 1234]]],
    [
      'k.0:5,1:7,12:9007199254740991',
      [
        [0, 5],
        [1, 7],
        [12, 9007199254740991],
      ],
    ],
  ])('given %s, when parsed, then it names %j', (token, entries) => {
    expect([...parseKafkaToken(token)]).toEqual(entries);
  });

  it.each([
    '',
    'k',
    'k1:2',
    's.1',
    'k.1',
    'k.1:',
    'k.:1',
    'k.1:2,',
    'k.,1:2',
    'k.1:2,,3:4',
    'k.1:2;3:4',
    'k.a:1',
    'k.1:x',
    'k.123456:1',
    'k.1:12345678901234567890',
    'k.1:2 ',
  ])('given %j, when validated, then it is refused as invalid_position', (token) => {
    expect(() => kafkaPositions.validate(token)).toThrow(expect.objectContaining({ code: 'invalid_position' }));
  });

  it('given a parsed token, when the caller changes the map, then later reads of the token are unchanged', () => {
    parseKafkaToken('k.1:5').set(1, 99);
    expect([...parseKafkaToken('k.1:5')]).toEqual([[1, 5]]);
    expect(kafkaPositions.reached('k.1:5', 'k.1:6')).toBe(false);
  });

  it.each([
    // current, target, reached
    [null, 'k.0:0', false],
    ['k.0:4', 'k.0:4', true],
    ['k.0:4', 'k.0:5', false],
    ['k.0:4,1:9', 'k.1:9', true],
    ['k.0:4', 'k.1:0', false],
    ['k.0:4,1:9', 'k.0:3,1:10', false],
    ['k.1:9', 'k.1:9', true],
    ['k.1:9', 'k.1:10', false],
    ['k.1:9', 'k.2:0', false],
    ['k.2:9', 'k.1:0', false],
  ])('given a reader at %s, when asked about %s, then reached is %s', (current, target, reached) => {
    expect(kafkaPositions.reached(current, target)).toBe(reached);
  });

  it.each([
    [null, 'k.2:7', 'k.2:7'],
    ['k.0:4,2:9', 'k.2:7', 'k.0:4,2:9'],
    ['k.0:4', 'k.2:7,0:5', 'k.0:5,2:7'],
    ['k.2:9', 'k.2:7', 'k.2:9'],
    ['k.2:7', 'k.2:9', 'k.2:9'],
    ['k.1:7', 'k.2:9', 'k.1:7,2:9'],
  ])('given %s, when merged with %s, then the result is %s', (a, b, merged) => {
    expect(kafkaPositions.merge(a, b)).toBe(merged);
  });

  it.each([
    [['k.0:4,1:9', 'k.0:6,1:2'], 'k.0:4,1:2'],
    [['k.0:4,1:9', 'k.0:6'], 'k.0:4'],
    [['k.0:4', null], null],
  ])('given readers at %j, when the lowest is asked, then it is %s', (positions, lowest) => {
    expect(kafkaPositions.lowest(positions)).toBe(lowest);
  });

  it('counts the events between a reader and the head, per partition', () => {
    expect(kafkaPositions.distance('k.0:4', 'k.0:10,1:3')).toBe(10);
    expect(kafkaPositions.lagByPartition('k.0:4', 'k.0:10,1:3')).toEqual({ '0': 6, '1': 4 });
    expect(
      kafkaToken(
        new Map([
          [3, 1],
          [0, 2],
        ]),
      ),
    ).toBe('k.0:2,3:1');
  });

  it('gives an event its own one-partition token', () => {
    expect(kafkaRecordToken(4, 9007199254740991)).toBe('k.4:9007199254740991');
    expect([...parseKafkaToken(kafkaRecordToken(0, 0))]).toEqual([[0, 0]]);
  });

  /** The general rule: partitions in order, the first that differs decides, an absent one counts as -1. */
  function compareByRule(a: string, b: string): number {
    const pa = parseKafkaToken(a);
    const pb = parseKafkaToken(b);
    for (const p of [...new Set([...pa.keys(), ...pb.keys()])].sort((x, y) => x - y)) {
      const d = (pa.get(p) ?? -1) - (pb.get(p) ?? -1);
      if (d !== 0) return d;
    }
    return 0;
  }

  it.each([
    ['k.0:5', 'k.0:5'],
    ['k.0:5', 'k.0:6'],
    ['k.0:6', 'k.0:5'],
    ['k.1:0', 'k.2:0'],
    ['k.2:0', 'k.1:0'],
    ['k.1:7', 'k.3:2'],
    ['k.3:2', 'k.1:7'],
    ['k.0:5', 'k.0:5,1:2'],
    ['k.0:5,1:2', 'k.1:2'],
    ['k.12:9007199254740991', 'k.12:9007199254740990'],
  ])('given %s and %s, when compared, then the sign is that of the general rule', (a, b) => {
    expect(Math.sign(kafkaPositions.compare(a, b))).toBe(Math.sign(compareByRule(a, b)));
  });

  it.each(['k.1:2 ', 'k.1:', 'k.123456:1', 'x.1:2'])(
    'given the malformed target %j, when asked if it is reached, then it is refused',
    (target) => {
      expect(() => kafkaPositions.reached('k.1:5', target)).toThrow(
        expect.objectContaining({ code: 'invalid_position' }),
      );
    },
  );
});
