"""The OpenSearch index template that template.yaml declares is the one the adapter sends."""

from __future__ import annotations

import pytest

from socialcare.knowledge.embeddings import DIM
from socialcare.knowledge.opensearch_index import MAPPINGS, SETTINGS
from socialcare_local.cfn_template import Template

pytestmark = pytest.mark.unit


def test_the_template_declares_the_index_template_the_ingestion_puts() -> None:
    """GIVEN template.yaml's knowledge collection WHEN its declared index template is read THEN
    it is exactly the settings and mappings every new version index is created with: k-NN on,
    a knn_vector of the model's dimension, and the whitespace-analysed pre-cut terms."""
    collection = Template().resources["KnowledgeCollection"]

    declared = collection["Metadata"]["IndexTemplate"]

    assert declared == {"settings": SETTINGS, "mappings": MAPPINGS}
    vector = declared["mappings"]["properties"]["vector"]
    assert (vector["type"], vector["dimension"]) == ("knn_vector", DIM)
    analyzer = declared["mappings"]["properties"]["terms"]["analyzer"]
    assert declared["settings"]["analysis"]["analyzer"][analyzer]["tokenizer"] == "whitespace"
