package io.github.xent4j.cli.train;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.LossSum;

import java.util.Random;

/**
 * Mini-batch training of a {@link Model} with xent4j's cross-entropy: for each batch, the model's
 * logits go through the core's {@link CrossEntropyLoss#partial} with the batch's MEAN gradient scale
 * (the fused forward and backward), which overwrites them in place with d(loss)/d(logits); the
 * model back-propagates that into the parameter gradient, and the optimiser steps. Every loss
 * reported is the core's {@link LossSum} of the rows, merged and reduced by the core.
 */
final class Trainer {

    /** Rows per forward pass when evaluating a whole data set. */
    private static final int EVAL_CHUNK = 1024;

    final Model model;
    final double[] params;
    private final double[] grad;
    private final Optimizer optimizer;
    private final CrossEntropyLoss loss;
    private final CrossEntropyLoss plain;
    private final int batchSize;
    private final Parallel par;
    private double[] logits = new double[0];
    private double[] xBatch = new double[0];
    private int[] yBatch = new int[0];

    /**
     * @param loss      the training objective, with MEAN reduction and ignore_index
     *                  {@link LabeledTable#UNLABELED}
     * @param params    initialised parameters, updated in place
     */
    Trainer(Model model, double[] params, Optimizer optimizer, CrossEntropyLoss loss, int batchSize, Parallel par) {
        this.model = model;
        this.params = params;
        this.grad = new double[params.length];
        this.optimizer = optimizer;
        this.loss = loss;
        this.plain = CrossEntropyLoss.builder().ignoreIndex(loss.ignoreIndex()).threads(Math.max(1, par.threads())).build();
        this.batchSize = batchSize;
        this.par = par;
    }

    /** What one pass over a data set measured. {@code plainCrossEntropy} has no class weights and no smoothing. */
    record Metrics(double loss, double accuracy, double plainCrossEntropy, long labeled) {
    }

    /** Called after every batch with the running mean loss and accuracy of the epoch so far. */
    @FunctionalInterface
    interface BatchListener {
        void batch(int done, int total, double runningLoss, double runningAccuracy);
    }

    /**
     * The training objective on {@code rows} examples and its gradient with respect to the
     * parameters, written into {@code gradOut}. NaN (and a zero gradient) when no row is labeled.
     */
    double lossAndGradient(double[] x, int[] target, int rows, double[] gradOut) {
        double[] z = logits(rows);
        model.forward(par, params, x, rows, z);
        // Fused forward + backward; gradOut = the logits buffer itself, so z becomes dLoss/dLogits.
        double value = loss.compute(z, new int[] {rows, model.classes}, trimmed(target, rows), null, null, z);
        model.backward(par, params, x, rows, z, gradOut);
        return value;
    }

    /** One epoch of mini-batches in an order drawn from {@code random}. */
    void epoch(Examples train, Random random, BatchListener listener) {
        int n = train.rows();
        int d = train.cols();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Split.shuffle(order, random);
        if (xBatch.length < batchSize * d) {
            xBatch = new double[batchSize * d];
            yBatch = new int[batchSize];
        }
        int batches = (n + batchSize - 1) / batchSize;
        // the epoch so far as the core's mergeable pair: the running loss is its MEAN, exactly
        LossSum running = LossSum.ZERO;
        long correct = 0;
        for (int b = 0; b < batches; b++) {
            int from = b * batchSize;
            int rows = Math.min(batchSize, n - from);
            for (int i = 0; i < rows; i++) {
                int r = order[from + i];
                System.arraycopy(train.x(), r * d, xBatch, i * d, d);
                yBatch[i] = train.target()[r];
            }
            int[] shape = {rows, model.classes};
            int[] target = trimmed(yBatch, rows);
            LossSum batch = loss.denominator(shape, target);
            if (batch.counted() > 0) {
                double[] z = logits(rows);
                model.forward(par, params, xBatch, rows, z);
                correct += countCorrect(z, yBatch, rows, model.classes);
                // the batch's MEAN gradient (scale 1/D) overwrites the logits; the pair joins the epoch's
                running = running.plus(loss.partial(z, shape, target, loss.gradScale(batch, 1.0), null, null, z));
                model.backward(par, params, xBatch, rows, z, grad);
                optimizer.step(params, grad);
            } // else: a batch of unlabeled rows has no loss and a zero gradient; no step
            if (listener != null) {
                listener.batch(b + 1, batches, loss.reduce(running),
                        running.counted() == 0 ? Double.NaN : (double) correct / running.counted());
            }
        }
    }

    /** The objective, accuracy and plain mean cross-entropy over the labeled rows of {@code data}. */
    Metrics evaluate(Examples data) {
        int d = data.cols();
        int c = model.classes;
        LossSum objective = LossSum.ZERO;
        LossSum plainTotal = LossSum.ZERO;
        long correct = 0;
        double[] x = new double[Math.min(EVAL_CHUNK, data.rows()) * d];
        int[] y = new int[Math.min(EVAL_CHUNK, data.rows())];
        for (int from = 0; from < data.rows(); from += EVAL_CHUNK) {
            int rows = Math.min(EVAL_CHUNK, data.rows() - from);
            System.arraycopy(data.x(), from * d, x, 0, rows * d);
            System.arraycopy(data.target(), from, y, 0, rows);
            double[] z = logits(rows);
            model.forward(par, params, x, rows, z);
            int[] shape = {rows, c};
            int[] target = trimmed(y, rows);
            // the core's (sum, denominator) pairs, merged chunk by chunk and reduced once at the end
            objective = objective.plus(loss.partial(z, shape, target, 1.0, null, null, null));
            plainTotal = plainTotal.plus(plain.partial(z, shape, target, 1.0, null, null, null));
            correct += countCorrect(z, y, rows, c);
        }
        long labeled = objective.counted();
        if (labeled == 0) {
            return new Metrics(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        return new Metrics(loss.reduce(objective), (double) correct / labeled, plain.reduce(plainTotal), labeled);
    }

    private double[] logits(int rows) {
        // The loss checks that the logits hold exactly (rows, classes): a short last batch gets its own buffer.
        if (logits.length != rows * model.classes) {
            logits = new double[rows * model.classes];
        }
        return logits;
    }

    private static int[] trimmed(int[] target, int rows) {
        return target.length == rows ? target : java.util.Arrays.copyOf(target, rows);
    }

    /** Labeled rows whose largest logit is at the target (the first maximum on ties, as torch.argmax). */
    private static long countCorrect(double[] z, int[] target, int rows, int classes) {
        long correct = 0;
        for (int n = 0; n < rows; n++) {
            int y = target[n];
            if (y == LabeledTable.UNLABELED) {
                continue;
            }
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (z[n * classes + k] > z[n * classes + best]) {
                    best = k;
                }
            }
            if (best == y) {
                correct++;
            }
        }
        return correct;
    }
}
