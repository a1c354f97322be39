// One side must choose: all branches put, or all get.
protocol Bad = put A: close | get B: close;
