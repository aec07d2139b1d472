import { useEffect, useRef } from 'react';

/** A `<dialog>` opened modally while `open`, closed otherwise; `onOpen` runs as it opens. */
export function useModalDialog(open: boolean, onOpen: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      onOpen();
      dialog.showModal();
    }
    if (!open && dialog.open) dialog.close();
  }, [open, onOpen]);
  return ref;
}
