package io.github.xent4j.cli.train;

import io.github.xent4j.cli.io.AtomicOutput;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The training log (CSV) and chart (PNG), each written through an {@link AtomicOutput}. */
final class TrainOutputs {

    static final String LOG_HEADER = "epoch,train_loss,train_accuracy,test_loss,test_accuracy";

    private TrainOutputs() {
    }

    /** One row per epoch; numbers in Java's shortest round-trip form, so equal runs give equal files. */
    static void writeLog(Path file, List<EpochRecord> history) throws IOException {
        atomically(file, out -> {
            Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write(LOG_HEADER + "\n");
            for (EpochRecord r : history) {
                w.write(r.epoch() + "," + r.trainLoss() + "," + r.trainAccuracy() + "," + r.testLoss() + ","
                        + r.testAccuracy() + "\n");
            }
            w.flush();
        });
    }

    /** Loss (left) and accuracy (right) per epoch, train and test, side by side in one PNG. */
    static void writeChart(Path file, List<EpochRecord> history, String title) throws IOException {
        int n = history.size();
        double[] epoch = new double[n];
        double[] trainLoss = new double[n];
        double[] testLoss = new double[n];
        double[] trainAcc = new double[n];
        double[] testAcc = new double[n];
        for (int i = 0; i < n; i++) {
            EpochRecord r = history.get(i);
            epoch[i] = r.epoch();
            trainLoss[i] = r.trainLoss();
            testLoss[i] = r.testLoss();
            trainAcc[i] = 100 * r.trainAccuracy();
            testAcc[i] = 100 * r.testAccuracy();
        }
        XYChart loss = chart(title + " - mean cross-entropy", "loss", Styler.LegendPosition.InsideNE);
        loss.addSeries("train", epoch, trainLoss).setMarker(SeriesMarkers.NONE);
        loss.addSeries("test", epoch, testLoss).setMarker(SeriesMarkers.NONE);
        XYChart acc = chart(title + " - accuracy", "accuracy (%)", Styler.LegendPosition.InsideSE);
        acc.addSeries("train", epoch, trainAcc).setMarker(SeriesMarkers.NONE);
        acc.addSeries("test", epoch, testAcc).setMarker(SeriesMarkers.NONE);

        BufferedImage left = BitmapEncoder.getBufferedImage(loss);
        BufferedImage right = BitmapEncoder.getBufferedImage(acc);
        BufferedImage both = new BufferedImage(left.getWidth() + right.getWidth(),
                Math.max(left.getHeight(), right.getHeight()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, both.getWidth(), both.getHeight());
            g.drawImage(left, 0, 0, null);
            g.drawImage(right, left.getWidth(), 0, null);
        } finally {
            g.dispose();
        }
        atomically(file, out -> {
            if (!ImageIO.write(both, "png", out)) {
                throw new IOException("no PNG writer in this JVM");
            }
        });
    }

    private static XYChart chart(String title, String yTitle, Styler.LegendPosition legend) {
        XYChart c = new XYChartBuilder().width(600).height(420).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(legend);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesVisible(true);
        c.getStyler().setSeriesColors(new Color[] {new Color(0x1f77b4), new Color(0xff7f0e)});
        c.getStyler().setDecimalPattern("#0.###");
        return c;
    }

    @FunctionalInterface
    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    /** Writes {@code file} through an {@link AtomicOutput}, creating its directory first. */
    private static void atomically(Path file, Body body) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (AtomicOutput out = AtomicOutput.create(file)) {
            try (OutputStream stream = out.stream()) {
                body.write(stream);
            }
            out.commit();
        }
    }
}
