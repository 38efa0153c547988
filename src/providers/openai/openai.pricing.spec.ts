import { openAiCostUsd } from './openai.pricing';

describe('cost arithmetic', () => {
  it('should price tokens per 1M', () => {
    expect(openAiCostUsd({ inputPer1M: 0.15, outputPer1M: 0.6 }, { promptTokens: 1_000_000, completionTokens: 500_000 })).toBeCloseTo(0.45, 10);
  });
});
