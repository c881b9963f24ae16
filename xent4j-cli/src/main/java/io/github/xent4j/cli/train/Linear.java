package io.github.xent4j.cli.train;

/**
 * The three products of a fully connected layer {@code z = x W^T + b}, with W stored row-major as
 * (out, in) at {@code wOff} and b at {@code bOff} of a flat parameter array. Each output element is
 * a sum in a fixed order written by exactly one thread, so the results do not depend on the number
 * of threads. Outputs are overwritten, never accumulated into.
 */
final class Linear {

    private Linear() {
    }

    /** z[n, o] = b[o] + sum_i x[n, i] * W[o, i], for rows x of width {@code in}. */
    static void forward(Parallel par, double[] x, int rows, int in, double[] p, int wOff, int bOff, int out, double[] z) {
        par.forRange(rows, (long) in * out, (from, to) -> {
            for (int n = from; n < to; n++) {
                int xRow = n * in;
                int zRow = n * out;
                for (int o = 0; o < out; o++) {
                    int wRow = wOff + o * in;
                    double s = 0;
                    for (int i = 0; i < in; i++) {
                        s += x[xRow + i] * p[wRow + i];
                    }
                    z[zRow + o] = p[bOff + o] + s;
                }
            }
        });
    }

    /** dW[o, i] = sum_n dz[n, o] * x[n, i] and db[o] = sum_n dz[n, o], written into g at the parameters' offsets. */
    static void backwardParams(Parallel par, double[] x, int rows, int in, double[] dz, int out,
                               double[] g, int wOff, int bOff) {
        par.forRange(out, (long) in * rows, (from, to) -> {
            for (int o = from; o < to; o++) {
                int wRow = wOff + o * in;
                java.util.Arrays.fill(g, wRow, wRow + in, 0.0);
                double db = 0;
                for (int n = 0; n < rows; n++) {
                    double d = dz[n * out + o];
                    if (d == 0) {
                        continue; // ReLU zeros and ignored rows: nothing to add
                    }
                    db += d;
                    int xRow = n * in;
                    for (int i = 0; i < in; i++) {
                        g[wRow + i] += d * x[xRow + i];
                    }
                }
                g[bOff + o] = db;
            }
        });
    }

    /** dx[n, i] = sum_o dz[n, o] * W[o, i]: the gradient passed to the layer below. */
    static void backwardInput(Parallel par, double[] dz, int rows, int out, double[] p, int wOff, int in, double[] dx) {
        par.forRange(rows, (long) in * out, (from, to) -> {
            for (int n = from; n < to; n++) {
                int dxRow = n * in;
                java.util.Arrays.fill(dx, dxRow, dxRow + in, 0.0);
                for (int o = 0; o < out; o++) {
                    double d = dz[n * out + o];
                    int wRow = wOff + o * in;
                    for (int i = 0; i < in; i++) {
                        dx[dxRow + i] += d * p[wRow + i];
                    }
                }
            }
        });
    }
}
