package io.github.xent4j.cli.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorsTest {

    @TempDir
    Path dir;

    @Test
    void readChoosesTheCodecByExtension() throws IOException {
        Files.writeString(dir.resolve("a.csv"), "1,2\n3,4\n");
        Files.writeString(dir.resolve("a.TXT"), "1 2\n3 4\n");
        Files.writeString(dir.resolve("a.Json"), "[[1, 2], [3, 4]]");
        Npy.write(dir.resolve("a.npy"), NdArray.ofLongs(new long[] {1, 2, 3, 4}, 2, 2));

        for (String name : new String[] {"a.csv", "a.TXT", "a.Json", "a.npy"}) {
            NdArray a = Tensors.read(dir.resolve(name));

            assertArrayEquals(new int[] {2, 2}, a.shape(), name);
            assertArrayEquals(new double[] {1, 2, 3, 4}, a.toDouble(), name);
            assertEquals(DType.INT64, a.dtype(), name);
        }
    }

    @Test
    void writeChoosesTheCodecByExtension() {
        NdArray a = NdArray.ofFloats(new float[] {0.25f, -1f}, 2);
        for (String name : new String[] {"o.npy", "o.csv", "o.json", "o.txt"}) {
            Path file = dir.resolve(name);

            Tensors.write(file, a);

            assertArrayEquals(a.toFloat(), Tensors.read(file).toFloat(), name);
        }
        assertEquals(DType.FLOAT32, Tensors.read(dir.resolve("o.npy")).dtype());
    }

    @Test
    void readRejectsUnknownExtensions() {
        Path xyz = dir.resolve("data.xyz");
        Path none = dir.resolve("data");
        Path npz = dir.resolve("data.npz");
        Path pt = dir.resolve("data.pt");

        assertEquals(xyz + ": unknown file extension '.xyz'; use .npy, .csv, .txt or .json",
                assertThrows(DataException.class, () -> Tensors.read(xyz)).getMessage());
        assertEquals(none + ": no file extension; use .npy, .csv, .txt or .json",
                assertThrows(DataException.class, () -> Tensors.read(none)).getMessage());
        assertEquals(npz + ": .npz archives are not supported; save each array with np.save(path, a)",
                assertThrows(DataException.class, () -> Tensors.read(npz)).getMessage());
        assertEquals(pt + ": PyTorch files are not supported; save the tensor with "
                + "np.save(path, t.detach().cpu().numpy())",
                assertThrows(DataException.class, () -> Tensors.read(pt)).getMessage());
    }

    @Test
    void parseInlineNamesTheOption() {
        NdArray a = Tensors.parseInline("[[0.1,0.3,0.6]]", "--logits");

        assertArrayEquals(new int[] {1, 3}, a.shape());
        assertEquals("--logits", a.source());
        assertEquals("--target: ragged nesting at [1]: it has 1 element but [0] has 2 elements",
                assertThrows(DataException.class, () -> Tensors.parseInline("[[0,1],[2]]", "--target")).getMessage());
        assertEquals("inline value", Tensors.parseInline("3").source());
    }

    @Test
    void fileFormatOfIgnoresCase() {
        assertEquals(FileFormat.NPY, FileFormat.of(Path.of("x.NPY")));
        assertEquals(FileFormat.CSV, FileFormat.of(Path.of("dir.d/x.txt")));
        assertEquals(FileFormat.JSON, FileFormat.of(Path.of("x.json")));
    }
}
