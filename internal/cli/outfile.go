package cli

import (
	"os"
	"path/filepath"
)

// writeOut writes a command's --out file with write, as a file of mode
// mode (set as given, whatever the umask). A new or regular
// file is written beside path and renamed over it only once write and the
// sync succeeded, so a failed command never leaves half a file under the
// name asked for (the temporary file is removed). A destination that exists
// and is neither a regular file nor a directory (a device such as
// /dev/null or /dev/stdout, a named pipe) is written directly: renaming over
// it would replace it with a regular file, and once replaced /dev/null
// broke other programs on the machine.
func writeOut(path string, mode os.FileMode, write func(f *os.File) error) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		dst, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		err = write(dst)
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), mode)
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
