package io.github.xent4j.cli.train;

import io.github.xent4j.cli.io.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The training view of the codec's labeled CSV: class numbering, unlabeled rows, data with nothing to learn. */
class LabeledTableTest {

    @TempDir
    Path dir;

    private LabeledTable read(String csv, String labelColumn) throws Exception {
        Path file = dir.resolve("data.csv");
        Files.writeString(file, csv);
        return LabeledTable.read(file, labelColumn);
    }

    private String error(String csv, String labelColumn) throws Exception {
        Path file = dir.resolve("data.csv");
        Files.writeString(file, csv);
        return assertThrows(DataException.class, () -> LabeledTable.read(file, labelColumn)).getMessage()
                .replace(file.toString(), "data.csv");
    }

    @Test
    void textLabelsAreClassesInSortedOrder() throws Exception {
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
    void numericLabelsAreClassesInOrderOfValueWithOneNamePerValue() throws Exception {
        LabeledTable t = read("0.5,1,10\n0.25,2,9\n1,1,-1\n0,0,9.0\n0,1,+10\n", null);
        assertEquals(5, t.rows());
        assertArrayEquals(new String[] {"-1", "9", "10"}, t.classNames());
        assertArrayEquals(new int[] {2, 1, 0, 1, 2}, t.target());
        assertArrayEquals(new String[] {"0", "1"}, t.featureNames());
        assertArrayEquals(new String[] {"0.5", "2"}, read("1,0.5\n2,2\n", null).classNames());
    }

    @Test
    void emptyLabelsAreUnlabeledRows() throws Exception {
        LabeledTable t = read("x,y\n1,a\n2,\n3,b\n4,  \n", "y");
        assertArrayEquals(new int[] {0, LabeledTable.UNLABELED, 1, LabeledTable.UNLABELED}, t.target());
        assertEquals(2, t.labeledRows());
        LabeledTable numeric = read("x,y\n1,3\n2,\n3,5\n", "y");
        assertArrayEquals(new int[] {0, LabeledTable.UNLABELED, 1}, numeric.target());
    }

    @Test
    void dataWithNothingToLearnIsRejectedWithAReason() throws Exception {
        assertEquals("data.csv: has a header but no data rows", error("a,y\n", "y"));
        assertEquals("data.csv: the label column 'y' has only one class ('a'); training needs at least 2",
                error("x,y\n1,a\n2,a\n", "y"));
        assertEquals("data.csv: the label column '1' has only one class ('7'); training needs at least 2",
                error("1,7\n2,7.0\n", null));
        assertEquals("data.csv: no row has a label in column 'y'; every label is empty", error("x,y\n1,\n2,\n", "y"));
        assertEquals("data.csv: no data: the file is empty", error("\n\n", null));
    }

    @Test
    void theBundledDigitsHave1797ImagesOf64PixelsIn10Classes() throws Exception {
        LabeledTable t = LabeledTable.digits();
        assertEquals("digits (bundled)", t.source());
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
}
