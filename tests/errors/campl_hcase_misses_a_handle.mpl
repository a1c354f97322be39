-- A CaMPL program: the hcase does not handle every handle of the
-- protocol (CaMPL finds out at run time; the checker says which).
protocol Loop => S =
    Continue :: S => S
    Stop :: TopBot => S

proc looper :: | Loop => =
    | ch => -> hcase ch of
        Continue -> looper( | ch => )

proc starter :: | => Loop =
    | => ch -> do
        hput Stop on ch
        halt ch

proc run = | => -> plug
    starter( | => ch)
    looper( | ch => )
