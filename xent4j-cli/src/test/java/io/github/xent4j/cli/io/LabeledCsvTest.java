package io.github.xent4j.cli.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledCsvTest {

    @TempDir
    Path dir;

    @Test
    void parseLabeledSplitsFeaturesAndIntegerLabelsWithMissing() {
        LabeledData d = LabeledCsv.parse("x1,label,x2\n0.5,1,2\n1.5,,3\n2.5,0,4\n", "t.csv", "label");

        assertEquals(List.of("x1", "x2"), d.featureNames());
        assertEquals("label", d.labelName());
        assertArrayEquals(new int[] {3, 2}, d.features().shape());
        assertArrayEquals(new double[] {0.5, 2, 1.5, 3, 2.5, 4}, d.features().toDouble());
        assertEquals(DType.INT64, d.labels().dtype());
        assertArrayEquals(new double[] {1, -1, 0}, d.labels().toDouble());
        assertArrayEquals(new boolean[] {false, true, false}, d.labelMissing());
        assertEquals(1, d.missingCount());
        assertTrue(d.classNames().isEmpty());
    }

    @Test
    void parseLabeledFloatLabelsMarkMissingAsNaN() {
        LabeledData d = LabeledCsv.parse("x,y\n1,0.5\n2,\n", "t.csv", "y");

        assertEquals(DType.FLOAT64, d.labels().dtype());
        assertEquals(0.5, d.labels().getDouble(0));
        assertTrue(Double.isNaN(d.labels().getDouble(1)));
    }

    @Test
    void parseLabeledNumbersClassNamesInSortedOrder() {
        LabeledData d = LabeledCsv.parse("len,species\n1,setosa\n2,virginica\n3,setosa\n4,\n5,versicolor\n",
                "iris.csv", "species");

        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames());
        assertArrayEquals(new double[] {0, 2, 0, -1, 1}, d.labels().toDouble());
        assertArrayEquals(new boolean[] {false, false, false, true, false}, d.labelMissing());
    }

    @Test
    void parseLabeledRejectsUnknownColumnAndMissingHeader() {
        assertEquals("t.csv:1: no column named 'y'; the columns are a, b",
                assertThrows(DataException.class, () -> LabeledCsv.parse("a,b\n1,2\n", "t.csv", "y")).getMessage());
        assertEquals("t.csv:1: no header line (line 1 is data), so no column is named 'y'; "
                + "add a header or give a 0-based column index",
                assertThrows(DataException.class, () -> LabeledCsv.parse("1,2\n", "t.csv", "y")).getMessage());
    }

    @Test
    void parseLabeledRejectsMissingFeature() {
        DataException e = assertThrows(DataException.class, () -> LabeledCsv.parse("a,y\n,1\n", "t.csv", "y"));

        assertEquals("t.csv:2:1: empty field; every feature must be a number", e.getMessage());
    }

    private static String labeledError(String text, String labelColumn) {
        return assertThrows(DataException.class, () -> LabeledCsv.parse(text, "t.csv", labelColumn)).getMessage();
    }

    @Test
    void parseLabeledWithoutHeaderTakesTheLastColumnAndNamesColumnsByIndex() {
        LabeledData d = LabeledCsv.parse("0.5,1,10\n0.25,2,9\n1,1,-1\n0,0,9.0\n", "t.csv", null);

        assertEquals(List.of("0", "1"), d.featureNames());
        assertEquals("2", d.labelName());
        assertArrayEquals(new double[] {0.5, 1, 0.25, 2, 1, 1, 0, 0}, d.features().toDouble());
        assertArrayEquals(new double[] {10, 9, -1, 9}, d.labels().toDouble());
        assertEquals(0, d.missingCount());
    }

    @Test
    void parseLabeledTextLabelsInEveryRowDoNotMakeTheFirstRowAHeader() {
        LabeledData d = LabeledCsv.parse("1,2,setosa\n3,4,virginica\n", "t.csv", null);

        assertArrayEquals(new int[] {2, 2}, d.features().shape());
        assertEquals(List.of("setosa", "virginica"), d.classNames());
        assertArrayEquals(new double[] {0, 1}, d.labels().toDouble());
    }

    @Test
    void parseLabeledHeaderIsTextAboveANumberOrTheLabelColumnsName() {
        LabeledData d = LabeledCsv.parse("a,b,species\n1,2,cat\n3,4,dog\n5.5,-6e-1,cat\n", "t.csv", null);

        assertEquals(List.of("a", "b"), d.featureNames());
        assertEquals("species", d.labelName());
        assertEquals(List.of("cat", "dog"), d.classNames());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5.5, -0.6}, d.features().toDouble());
        assertEquals(List.of("a", "b"), LabeledCsv.parse("a,b,y\n", "t.csv", null).featureNames());
        assertEquals("y", LabeledCsv.parse("1,2,y\n3,4,z\n", "t.csv", "y").labelName());
    }

    @Test
    void parseLabeledFileWithoutHeaderTakesAColumnIndex() {
        LabeledData d = LabeledCsv.parse("7,1,2\n8,3,4\n", "t.csv", "0");

        assertArrayEquals(new double[] {7, 8}, d.labels().toDouble());
        assertArrayEquals(new double[] {1, 2, 3, 4}, d.features().toDouble());
    }

    @Test
    void parseLabeledEmptyOrBlankLabelsAreMissing() {
        LabeledData d = LabeledCsv.parse("x,y\n1,a\n2,\n3,b\n4,  \n", "t.csv", "y");

        assertArrayEquals(new boolean[] {false, true, false, true}, d.labelMissing());
        assertEquals(List.of("a", "b"), d.classNames());
    }

    @Test
    void parseLabeledAcceptsQuotedFieldsBlankLinesAndByteOrderMark() {
        LabeledData d = LabeledCsv.parse("\uFEFF\"x\",\"the, label\"\n\n\"1.5\",\"a \"\"b\"\"\"\n2,c\n\n",
                "t.csv", "the, label");

        assertEquals(List.of("a \"b\"", "c"), d.classNames());
        assertArrayEquals(new double[] {1.5, 2}, d.features().toDouble());
    }

    @Test
    void parseLabeledRejectsFeaturesThatAreNotFiniteNumbers() {
        assertEquals("t.csv:3:2: 'n/a' is not a number", labeledError("a,b,y\n1,2,x\n3,n/a,z\n", "y"));
        assertEquals("t.csv:2:2: empty field; every feature must be a number", labeledError("1,2,x\n3,,z\n", null));
        assertEquals("t.csv:2:1: 'NaN' is not a finite number; every feature must be one",
                labeledError("1,2,x\nNaN,1,z\n", null));
        assertEquals("t.csv:1:1: '1e999' is too large for a double", labeledError("1e999,2,x\n1,1,z\n", null));
    }

    @Test
    void parseLabeledRejectsRaggedRowsAndTooFewColumns() {
        assertEquals("t.csv:4: expected 3 columns (like the header on line 1) but found 2",
                labeledError("a,b,y\n1,2,x\n3,4,z\n5,6\n", "y"));
        assertEquals("t.csv:1: found 1 column; training data needs at least 2: features and a label",
                labeledError("1\n2\n", null));
        assertEquals("t.csv:2:2: unclosed quote", labeledError("x,y\n1,\"a\n", "y"));
    }

    @Test
    void parseLabeledNamesTheLabelColumnProblem() {
        assertEquals("t.csv:1: no column named 'label'; the columns are a, b, y", labeledError("a,b,y\n1,2,x\n", "label"));
        assertEquals("t.csv:1: label column 3 is out of range: the file has 3 columns, 0..2",
                labeledError("1,2,3\n4,5,6\n", "3"));
        StringBuilder wide = new StringBuilder("pixel0");
        for (int c = 1; c < 100; c++) {
            wide.append(",pixel").append(c);
        }
        assertEquals("t.csv:1: no column named 'y'; the columns are "
                + "pixel0, pixel1, pixel2, pixel3, pixel4, pixel5, pixel6, p...",
                labeledError(wide + "\n" + "1,".repeat(99) + "1\n", "y"));
    }

    @Test
    void readLabeledDecompressesGzipWhateverTheName() throws IOException {
        for (String name : new String[] {"d.csv.gz", "d.csv"}) {
            Path file = dir.resolve(name);
            try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
                gz.write("f,y\n1,0\n2,1\n".getBytes(StandardCharsets.UTF_8));
            }

            assertArrayEquals(new int[] {0, 1}, LabeledCsv.read(file, "y").labels().toIntTargets("y"), name);
            assertEquals(List.of("f", "y"), Csv.readTable(file).columnNames(), name);
        }
    }

    @Test
    void readLabeledFromAStreamNamesItsSource() {
        InputStream in = new ByteArrayInputStream("1,2,0\n3,4,1\n5,x,0\n".getBytes(StandardCharsets.UTF_8));

        assertEquals("bundled:3:2: 'x' is not a number",
                assertThrows(DataException.class, () -> LabeledCsv.read(in, "bundled", null)).getMessage());
    }

    @Test
    void readLabeledReportsAMissingFileAndADirectory() {
        Path missing = dir.resolve("nope.csv");

        assertEquals(missing + ": cannot read: no such file or directory",
                assertThrows(DataException.class, () -> LabeledCsv.read(missing, null)).getMessage());
        assertEquals(dir + ": is a directory, not a file",
                assertThrows(DataException.class, () -> LabeledCsv.read(dir, null)).getMessage());
    }

    @Test
    void readLabeledFromFile() throws IOException {
        Path file = dir.resolve("train.csv");
        Files.writeString(file, "f,y\n1.0,1\n2.0,0\n");

        LabeledData d = LabeledCsv.read(file, "y");

        assertArrayEquals(new int[] {1, 0}, d.labels().toIntTargets("y"));
        assertEquals(file.toString(), d.features().source());
    }
}
