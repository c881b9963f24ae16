package io.github.xent4j.cli.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TrainingCsvTest {

    private static LabeledTable read(String csv, String labelColumn) throws Exception {
        return TrainingCsv.read(new StringReader(csv), "data.csv", labelColumn);
    }

    private static String error(String csv, String labelColumn) {
        return assertThrows(BadDataException.class, () -> read(csv, labelColumn)).getMessage();
    }

    @Test
    void headerIsDetectedAndTheLabelColumnIsFoundByName() throws Exception {
        LabeledTable t = read("a,species,b\n1,cat,2\n3,dog,4\n5.5,cat,-6e-1\n", "species");
        assertEquals(3, t.rows());
        assertEquals(2, t.cols());
        assertArrayEquals(new String[] {"a", "b"}, t.featureNames());
        assertEquals("species", t.labelName());
        assertArrayEquals(new String[] {"cat", "dog"}, t.classNames());
        assertArrayEquals(new int[] {0, 1, 0}, t.target());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5.5, -0.6}, t.features());
    }

    @Test
    void withoutAHeaderTheLastColumnIsTheLabelAndNumericLabelsSortByValue() throws Exception {
        LabeledTable t = read("0.5,1,10\n0.25,2,9\n1,1,-1\n0,0,9.0\n", null);
        assertEquals(4, t.rows());
        assertArrayEquals(new String[] {"-1", "9", "10"}, t.classNames());
        assertArrayEquals(new int[] {2, 1, 0, 1}, t.target());
        assertArrayEquals(new String[] {"0", "1"}, t.featureNames());
    }

    @Test
    void textLabelsInEveryRowDoNotMakeTheFirstRowAHeader() throws Exception {
        LabeledTable t = read("1,2,setosa\n3,4,virginica\n", null);
        assertEquals(2, t.rows());
        assertArrayEquals(new String[] {"setosa", "virginica"}, t.classNames());
    }

    @Test
    void aFileWithoutHeaderTakesAColumnIndex() throws Exception {
        LabeledTable t = read("7,1,2\n8,3,4\n", "0");
        assertArrayEquals(new String[] {"7", "8"}, t.classNames());
        assertArrayEquals(new double[] {1, 2, 3, 4}, t.features());
    }

    @Test
    void emptyLabelsAreUnlabeledRows() throws Exception {
        LabeledTable t = read("x,y\n1,a\n2,\n3,b\n4,  \n", "y");
        assertArrayEquals(new int[] {0, LabeledTable.UNLABELED, 1, LabeledTable.UNLABELED}, t.target());
        assertEquals(2, t.labeledRows());
    }

    @Test
    void quotedFieldsBlankLinesAndByteOrderMarkAreAccepted() throws Exception {
        LabeledTable t = read("\uFEFF\"x\",\"the, label\"\n\n\"1.5\",\"a \"\"b\"\"\"\n2,c\n\n", "the, label");
        assertArrayEquals(new String[] {"a \"b\"", "c"}, t.classNames());
        assertArrayEquals(new double[] {1.5, 2}, t.features());
    }

    @Test
    void gzipFilesAreDecompressed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("d.csv.gz");
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            gz.write("f,y\n1,0\n2,1\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(2, TrainingCsv.read(file, "y").rows());
    }

    @Test
    void theBundledDigitsHave1797ImagesOf64PixelsIn10Classes() throws Exception {
        LabeledTable t = TrainingCsv.digits();
        assertEquals(1797, t.rows());
        assertEquals(64, t.cols());
        assertArrayEquals(new String[] {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, t.classNames());
        assertEquals(1797, t.labeledRows());
        for (double v : t.features()) {
            if (v < 0 || v > 16 || v != Math.rint(v)) {
                throw new AssertionError("pixel " + v + " is not an integer in 0..16");
            }
        }
    }

    @Test
    void aRowWithTheWrongNumberOfFieldsNamesItsLine() {
        assertEquals("data.csv:4: found 2 fields; expected 3 as in line 1", error("a,b,y\n1,2,x\n3,4,z\n5,6\n", "y"));
    }

    @Test
    void aFeatureThatIsNotANumberNamesLineColumnAndValue() {
        assertEquals("data.csv:3: feature 'b' is 'n/a', not a number", error("a,b,y\n1,2,x\n3,n/a,z\n", "y"));
        assertEquals("data.csv:2: feature in column 1 is empty; every feature must be a number",
                error("1,2,x\n3,,z\n", null));
        assertEquals("data.csv:2: feature in column 0 is 'NaN', not a number", error("1,2,x\nNaN,1,z\n", null));
        assertEquals("data.csv:1: feature in column 0 is '1e999', too large for a double", error("1e999,2,x\n1,1,z\n", null));
    }

    @Test
    void aMissingLabelColumnListsTheColumns() {
        assertEquals("data.csv:1: the header has no column named 'label'; columns are a, b, y",
                error("a,b,y\n1,2,x\n", "label"));
        assertEquals("data.csv:1: the file has no header row (line 1 is data), so no column is named 'label'; "
                + "add a header or give a 0-based column index", error("1,2,3\n4,5,6\n", "label"));
        assertEquals("data.csv:1: --label-column 3 is out of range: the file has 3 columns, 0..2",
                error("1,2,3\n4,5,6\n", "3"));
    }

    @Test
    void degenerateFilesAreRejectedWithAReason() {
        assertEquals("data.csv: is empty; expected CSV rows of numeric features and a label", error("\n\n", null));
        assertEquals("data.csv: has a header but no data rows", error("a,y\n", "y"));
        assertEquals("data.csv:1: found 1 column; expected at least 2 (features and a label), separated by commas",
                error("1\n2\n", null));
        assertEquals("data.csv: the label column 'y' has only one class ('a'); training needs at least 2",
                error("x,y\n1,a\n2,a\n", "y"));
        assertEquals("data.csv: no row has a label in column 'y'; every label is empty", error("x,y\n1,\n2,\n", "y"));
        assertEquals("data.csv:2: a quoted field opened at column 3 is not closed", error("x,y\n1,\"a\n", "y"));
    }

    @Test
    void aMissingFileIsBadData(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope.csv");
        assertEquals(missing + ": no such file",
                assertThrows(BadDataException.class, () -> TrainingCsv.read(missing, null)).getMessage());
        assertEquals(dir + ": is a directory, not a CSV file",
                assertThrows(BadDataException.class, () -> TrainingCsv.read(dir, null)).getMessage());
    }
}
