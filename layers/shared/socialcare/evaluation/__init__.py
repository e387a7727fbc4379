"""Evaluating the agent's replies against reference answers: the data, the metrics, the run
through the real pipeline, cost, reports and the CI gate (`socialcare eval responses`).

Never imported by a Lambda function: its metrics need sacrebleu, rouge-score and nltk (the
`eval` extra), and perplexity needs torch (the `llm` extra).
"""
