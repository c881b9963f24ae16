package io.github.xent4j.cli.train;

/** One line of the training log: the objective and accuracy on the train and test sets after an epoch. */
record EpochRecord(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy) {
}
