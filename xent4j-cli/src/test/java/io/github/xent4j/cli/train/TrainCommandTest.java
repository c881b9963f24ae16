package io.github.xent4j.cli.train;

import io.github.xent4j.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code xent train} end to end, driven in-process through the top-level command line. */
class TrainCommandTest {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run xent(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Run train(String... args) {
        List<String> all = new ArrayList<>(List.of("train", "--progress", "none", "--out-dir", dir.resolve("out").toString()));
        all.addAll(List.of(args));
        return xent(all.toArray(new String[0]));
    }

    private List<double[]> log() throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("out").resolve(TrainCommand.LOG_FILE));
        assertEquals(TrainOutputs.LOG_HEADER, lines.get(0));
        List<double[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            rows.add(java.util.Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray());
        }
        return rows;
    }

    private static double testAccuracy(String out) {
        Matcher m = Pattern.compile("(?m)^test accuracy: (\\d+\\.\\d)%$").matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1)) / 100;
    }

    @Test
    void aShortRunOnDigitsLowersTheLossAndBeatsChanceByAWideMargin() throws Exception {
        for (String model : new String[] {"logreg", "mlp"}) {
            List<String> args = new ArrayList<>(List.of("--model", model, "--epochs", "3", "--no-plot"));
            if (model.equals("mlp")) {
                args.addAll(List.of("--hidden", "32"));
            }
            Run r = train(args.toArray(new String[0]));
            assertEquals(0, r.code(), r.err());
            List<double[]> log = log();
            assertEquals(3, log.size());
            double chanceLoss = Math.log(10); // the loss of a uniform prediction over 10 digits
            double first = log.get(0)[1];
            double last = log.get(2)[1];
            assertTrue(first < 0.5 * chanceLoss, model + ": train loss after one epoch " + first);
            assertTrue(last < first, model + ": train loss " + first + " -> " + last);
            double accuracy = testAccuracy(r.out());
            assertTrue(accuracy > 0.85, model + ": test accuracy " + accuracy + " (chance is 0.10)");
            assertEquals(log.get(2)[4], accuracy, 0.0005);
            assertTrue(r.out().contains("test mean cross-entropy: "), r.out());
        }
    }

    @Test
    void theSameSeedGivesTheSameNumbersAndAnotherSeedOthers() throws Exception {
        // --threads 1 spelled out: the default is the number of processors
        String[] args = {"--model", "mlp", "--hidden", "16", "--epochs", "2", "--no-plot", "--seed", "7", "--threads", "1"};
        Run a = train(args);
        List<double[]> logA = log();
        Run b = train(args);
        List<double[]> logB = log();
        assertEquals(0, a.code());
        assertEquals(withoutTiming(a.out()), withoutTiming(b.out()));
        for (int i = 0; i < logA.size(); i++) {
            assertArrayEquals(logA.get(i), logB.get(i), 0.0);
        }
        Run threads = train("--model", "mlp", "--hidden", "16", "--epochs", "2", "--no-plot", "--seed", "7", "--threads", "2");
        assertEquals(withoutTiming(a.out()).replace("1 thread,", "2 threads,"), withoutTiming(threads.out()));
        List<double[]> logThreads = log();
        for (int i = 0; i < logA.size(); i++) {
            assertArrayEquals(logA.get(i), logThreads.get(i), 0.0, "--threads 2, epoch " + (i + 1));
        }
        train("--model", "mlp", "--hidden", "16", "--epochs", "2", "--no-plot", "--seed", "8");
        assertNotEquals(logA.get(1)[1], log().get(1)[1]);
    }

    private static String withoutTiming(String out) {
        return out.replaceAll("trained in [0-9.]+ s", "trained in _ s");
    }

    @Test
    void writesTheCsvLogAndAPngChartOfBothCurves() throws Exception {
        Run r = train("--epochs", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, log().size());
        Path chart = dir.resolve("out").resolve(TrainCommand.CHART_FILE);
        assertTrue(r.out().contains("chart: " + chart), r.out());
        BufferedImage image = ImageIO.read(chart.toFile());
        assertEquals(1200, image.getWidth());
        assertEquals(420, image.getHeight());
        try (var files = Files.list(dir.resolve("out"))) {
            assertEquals(2, files.count(), "no temporary files are left behind");
        }
    }

    @Test
    void noPlotDrawsNoChart() {
        Run r = train("--epochs", "1", "--no-plot");
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(dir.resolve("out").resolve(TrainCommand.CHART_FILE)));
        assertFalse(r.out().contains("chart:"));
    }

    @Test
    void progressIsOneLinePerEpochOrARedrawnBarOnStderr() {
        Run lines = xent("train", "--epochs", "2", "--no-plot", "--progress", "lines", "--out-dir", dir.toString());
        String[] err = lines.err().split("\n");
        assertEquals(2, err.length, lines.err());
        assertTrue(err[0].matches("epoch 1/2  train loss \\d\\.\\d{4} acc +\\d+\\.\\d% \\| test loss \\d\\.\\d{4} acc +\\d+\\.\\d%  \\(\\d+\\.\\d\\d s\\)"), err[0]);
        assertFalse(lines.out().contains("epoch 1/2"), "progress stays off stdout");

        Run bar = xent("train", "--epochs", "2", "--no-plot", "--progress", "bar", "--out-dir", dir.toString());
        assertTrue(bar.err().contains("\repoch 2/2 [========================] "), bar.err());
        assertEquals(2, bar.err().chars().filter(c -> c == '\n').count());

        Run none = xent("train", "--epochs", "1", "--no-plot", "--progress", "none", "--out-dir", dir.toString());
        assertEquals("", none.err());
    }

    @Test
    void trainsOnTheUsersCsvWithUnlabeledRowsWeightsAndSmoothing() throws Exception {
        // Three Gaussian blobs in 2-D, the label in the middle column, every 7th label left empty.
        Path csv = dir.resolve("blobs.csv");
        Random r = new Random(5);
        StringBuilder s = new StringBuilder("x,kind,y\n");
        String[] kinds = {"circle", "square", "triangle"};
        double[][] centres = {{0, 0}, {4, 0}, {0, 4}};
        for (int i = 0; i < 300; i++) {
            int k = i % 3;
            s.append(String.format(Locale.ROOT, "%.4f,%s,%.4f%n", centres[k][0] + r.nextGaussian(),
                    i % 7 == 0 ? "" : kinds[k], centres[k][1] + r.nextGaussian()));
        }
        Files.writeString(csv, s);
        Run run = train("--data", csv.toString(), "--label-column", "kind", "--epochs", "5", "--no-plot",
                "--class-weight", "balanced", "--label-smoothing", "0.1", "--optimizer", "adam", "--lr", "0.05");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("data: " + csv + ": 300 rows, 2 features, 3 classes"), run.out());
        assertTrue(run.out().contains("; loss mean cross-entropy, balanced class weights, label smoothing 0.1; kernels "
                + io.github.xent4j.Xent4j.kernels() + "\n"), run.out());
        assertTrue(run.out().contains("(43 unlabeled, ignored by the loss)"), run.out());
        assertTrue(run.out().contains("test training objective (mean cross-entropy, balanced class weights, label smoothing 0.1): "),
                run.out());
        assertTrue(testAccuracy(run.out()) > 0.9, run.out());
    }

    @Test
    void aMalformedCsvIsExitOneWithOneLineNamingFileAndLine() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "a,b,label\n1,2,x\n3,4,y\n5,oops,x\n");
        Run r = train("--data", csv.toString(), "--label-column", "label");
        assertEquals(1, r.code());
        assertEquals("xent train: " + csv + ":4:2: 'oops' is not a number\n", r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(dir.resolve("out")), "nothing is written for bad data");

        Run missing = train("--data", dir.resolve("missing.csv").toString());
        assertEquals(1, missing.code());
        assertEquals("xent train: " + dir.resolve("missing.csv") + ": cannot read: no such file or directory\n",
                missing.err());
    }

    @Test
    void anOutDirThatCannotBeCreatedFailsBeforeTraining() throws Exception {
        Path file = Files.writeString(dir.resolve("taken"), "not a directory");
        Run r = xent("train", "--progress", "none", "--out-dir", file.toString());
        assertEquals(1, r.code());
        assertEquals("xent train: cannot create --out-dir " + file + ": " + file + " exists and is not a directory\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void badOptionsAreExitTwoNamingTheValueAndTheRange() {
        String[][] cases = {
                {"--lr", "0", "--lr=0.0 must be a finite number > 0"},
                {"--lr", "-1e-3", "--lr=-0.001 must be a finite number > 0"},
                {"--epochs", "0", "--epochs=0 must be in [1, 1000000]"},
                {"--batch-size", "0", "--batch-size=0 must be >= 1"},
                {"--momentum", "1", "--momentum=1.0 must be in [0, 1)"},
                {"--label-smoothing", "1.5", "--label-smoothing=1.5 must be in [0, 1]"},
                {"--test-fraction", "1", "--test-fraction=1.0 must be in (0, 1)"},
                {"--threads", "0", "--threads=0 must be in [1, 256]"},
                {"--hidden", "32", "--hidden applies to --model mlp only (the model is logreg)"},
                {"--optimizer", "adam", "--momentum", "0.5", "--momentum applies to --optimizer sgd only (the optimizer is adam)"},
                {"--label-column", "y", "--label-column needs --data"},
                {"--model", "svm", "Invalid value for option '--model': expected one of [logreg, mlp]"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length - 1];
            System.arraycopy(c, 0, args, 0, args.length);
            Run r = train(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertTrue(r.err().startsWith("xent train: " + c[c.length - 1]), String.join(" ", args) + " -> " + r.err());
        }
    }

    @Test
    void aDivergingRunStopsWithExitOneAndAdvice() {
        Run r = train("--lr", "1e6", "--epochs", "10", "--no-plot");
        assertEquals(1, r.code());
        assertTrue(r.err().matches("(?s)xent train: the training loss became (NaN|Infinity) at epoch \\d+; lower --lr \\(now 1000000.0\\)\n"),
                r.err());
    }

    @Test
    void helpListsTheOptionsAndTheirChoices() {
        Run r = xent("train", "--help");
        assertEquals(0, r.code());
        for (String s : new String[] {"--model", "logreg, mlp", "--optimizer", "sgd, adam", "--class-weight", "balanced",
                "--label-smoothing", "--hidden", "--seed", "--threads", "--no-plot", "--data", "--label-column", "CC BY 4.0"}) {
            assertTrue(r.out().contains(s), s);
        }
    }
}
