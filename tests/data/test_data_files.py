"""load_table: a user's CSV or NPZ file with a label column."""
import numpy as np
import pytest

from tensorgate.data import load_table


def _csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_label_column_found_by_name(tmp_path):
    path = _csv(tmp_path, "target,a,b\n1,0.5,2\n0,1.5,3\n1,2.5,4\n")
    X, y, classes = load_table(path)
    np.testing.assert_array_equal(X, [[0.5, 2], [1.5, 3], [2.5, 4]])
    assert X.dtype == np.float32 and y.dtype == np.int64
    assert y.tolist() == [1, 0, 1] and classes == ("0", "1")


@pytest.mark.parametrize("name", ["label", "Label", "y", "class", "TARGET"])
def test_csv_label_names(tmp_path, name):
    X, y, _ = load_table(_csv(tmp_path, f"a,{name},b\n1,0,2\n3,1,4\n"))
    assert X.tolist() == [[1, 2], [3, 4]] and y.tolist() == [0, 1]


def test_csv_last_column_by_default_and_string_labels(tmp_path):
    X, y, classes = load_table(_csv(tmp_path, "x1,x2,species\n1,2,versicolor\n3,4,setosa\n5,6,versicolor\n"))
    assert X.shape == (3, 2)
    assert classes == ("setosa", "versicolor") and y.tolist() == [1, 0, 1]


def test_csv_labels_are_encoded_to_0_k(tmp_path):
    _, y, classes = load_table(_csv(tmp_path, "a,label\n1,5\n2,3\n3,5\n4,9\n"))
    assert y.tolist() == [1, 0, 1, 2] and classes == ("3", "5", "9")


def test_csv_explicit_label_column(tmp_path):
    path = _csv(tmp_path, "a,b,c\n1,2,0\n3,4,1\n")
    X, y, _ = load_table(path, label_column="a")
    assert X.tolist() == [[2, 0], [4, 1]] and y.tolist() == [0, 1]
    X, y, _ = load_table(path, label_column=1)
    assert X.tolist() == [[1, 0], [3, 1]]
    with pytest.raises(ValueError, match=r"no column named 'd'; the columns are \['a', 'b', 'c'\]"):
        load_table(path, label_column="d")


def test_tsv(tmp_path):
    X, y, _ = load_table(_csv(tmp_path, "a\tb\tlabel\n1\t2\t0\n", name="d.tsv"))
    assert X.tolist() == [[1, 2]] and y.tolist() == [0]


@pytest.mark.parametrize("text, message", [
    ("a,b,label\n1,2,0\n3,0\n", "line 3: ragged row: 2 fields, the header has 3"),
    ("a,b,label\n1,oops,0\n", "line 2, column 'b': 'oops' is not a number"),
    ("a,b,label\n1,,0\n", "line 2, column 'b': an empty cell is not a number"),
    ("a,b,label\n1,nan,0\n", "line 2, column 'b': 'nan' is not a finite number"),
    ("1,2,0\n3,4,1\n", "looks like data, not a header"),
    ("a,b,label\n", "no data rows"),
    ("", "empty"),
    ("a,label\n1,0.5\n2,1.5\n", "non-integer numbers; is this a regression target"),
    ("label\n1\n", "at least one feature column"),
])
def test_csv_errors(tmp_path, text, message):
    path = _csv(tmp_path, text)
    with pytest.raises(ValueError, match=message) as err:
        load_table(path)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such data file: .*nope.csv"):
        load_table(tmp_path / "nope.csv")


def test_npz(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.arange(6.0).reshape(3, 2), y=np.array(["b", "a", "b"]))
    X, y, classes = load_table(path)
    assert X.dtype == np.float32 and X.shape == (3, 2)
    assert y.tolist() == [1, 0, 1] and classes == ("a", "b")


def test_npz_with_class_names_and_images(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.zeros((2, 1, 4, 4)), y=np.array([0, 2]), classes=np.array(["cat", "dog", "eel"]))
    X, y, classes = load_table(path)
    assert X.shape == (2, 1, 4, 4) and y.tolist() == [0, 2] and classes == ("cat", "dog", "eel")


@pytest.mark.parametrize("arrays, message", [
    ({"X": np.zeros((2, 2))}, r"arrays named 'X' and 'y', it has \['X'\]"),
    ({"X": np.zeros((2, 2)), "y": np.zeros(3, int)}, r"y must have shape \(2,\)"),
    ({"X": np.zeros(2), "y": np.zeros(2, int)}, "X must be a numeric array of shape"),
    ({"X": np.array([[np.inf, 0]]), "y": np.zeros(1, int)}, "nan or inf"),
    ({"X": np.zeros((2, 2)), "y": np.array([0, 5]), "classes": np.array(["a", "b"])}, r"\[0, 2\)"),
])
def test_npz_errors(tmp_path, arrays, message):
    path = tmp_path / "d.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=message):
        load_table(path)


def test_npz_never_unpickles(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, X=np.zeros((1, 2)), y=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="without pickle"):
        load_table(path)


def test_npz_takes_no_label_column(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.zeros((1, 2)), y=np.zeros(1, int))
    with pytest.raises(ValueError, match="label_column applies to CSV"):
        load_table(path, label_column="y")
