package io.github.xent4j.cli.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The file formats the command line reads and writes, chosen by file extension. */
public enum FileFormat {
    /** NumPy {@code .npy}: any shape, float32/float64/integers; see {@link Npy}. */
    NPY,
    /** {@code .csv} or {@code .txt}: one row per line, at most 2 dimensions; see {@link Csv}. */
    CSV,
    /** {@code .json}: nested arrays of numbers; see {@link Json}. */
    JSON;

    /**
     * The format of {@code file} from its extension, ignoring case: {@code .npy}, {@code .csv},
     * {@code .txt} or {@code .json}.
     *
     * @throws DataException for a directory, and for any other extension, with a hint for common
     *                       formats that are not supported ({@code .npz}, {@code .pt})
     */
    public static FileFormat of(Path file) {
        if (Files.isDirectory(file)) {
            throw DataException.at(file, "is a directory, not a file");
        }
        Path name = file.getFileName();
        String text = name == null ? "" : name.toString();
        int dot = text.lastIndexOf('.');
        String ext = dot <= 0 ? "" : text.substring(dot + 1).toLowerCase(Locale.ROOT);
        switch (ext) {
            case "npy":
                return NPY;
            case "csv":
            case "txt":
                return CSV;
            case "json":
                return JSON;
            case "npz":
                throw DataException.at(file, ".npz archives are not supported; save each array with np.save(path, a)");
            case "pt":
            case "pth":
                throw DataException.at(file, "PyTorch files are not supported; save the tensor with "
                        + "np.save(path, t.detach().cpu().numpy())");
            default:
                throw DataException.at(file, (ext.isEmpty() ? "no file extension" : "unknown file extension '." + ext + "'")
                        + "; use .npy, .csv, .txt or .json");
        }
    }

    /** Reads {@code file} in this format. */
    public NdArray read(Path file) {
        switch (this) {
            case NPY:
                return Npy.read(file);
            case CSV:
                return Csv.read(file);
            default:
                return Json.read(file);
        }
    }

    /** Writes {@code array} to {@code file} in this format, atomically. */
    public void write(Path file, NdArray array) {
        switch (this) {
            case NPY:
                Npy.write(file, array);
                break;
            case CSV:
                Csv.write(file, array);
                break;
            default:
                Json.write(file, array);
        }
    }
}
