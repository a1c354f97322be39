// An import of a file that does not exist.
import "no/such/file.mpl";
