"""Graph classification on a toy problem: the sign of the node features.

Every graph is the same 5-node graph; in class "negative" all node features are -1, in
class "positive" all are +1 (with a little noise). A sum over neighbours followed by a
sum readout separates them at once, so ``GNNGraphClassifier`` learns the problem
perfectly and classifies new graphs without error.
"""

import numpy as np

from skgraph import GNNGraphClassifier

adjacency = np.array([[0, 0, 1, 1, 0],
                      [0, 0, 1, 0, 1],
                      [1, 1, 0, 0, 1],
                      [1, 0, 0, 0, 1],
                      [0, 1, 1, 1, 0]])


def make_graphs(n_graphs, seed):
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.array(["negative", "positive"] * (n_graphs // 2)))
    graphs = [(adjacency, np.where(label == "negative", -1.0, 1.0)
               + 0.1 * rng.normal(size=(5, 2))) for label in labels]
    return graphs, labels


X_train, y_train = make_graphs(40, seed=0)
X_test, y_test = make_graphs(20, seed=1)

clf = GNNGraphClassifier(max_epochs=30, random_state=0).fit(X_train, y_train)
print(f"classes: {clf.classes_.tolist()}")
print(f"training accuracy: {clf.score(X_train, y_train):.3f}")
print(f"test accuracy:     {clf.score(X_test, y_test):.3f}")
print("P(class) of the first test graph "
      f"(true class {str(y_test[0])!r}): {np.round(clf.predict_proba(X_test[:1])[0], 3).tolist()}")
