# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'notebooks.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QHBoxLayout,
    QHeaderView, QLabel, QLineEdit, QPlainTextEdit,
    QProgressBar, QPushButton, QSizePolicy, QSplitter,
    QTabWidget, QTableView, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget)

class Ui_NotebooksPanel(object):
    def setupUi(self, NotebooksPanel):
        if not NotebooksPanel.objectName():
            NotebooksPanel.setObjectName(u"NotebooksPanel")
        NotebooksPanel.resize(1000, 640)
        self.main_layout = QVBoxLayout(NotebooksPanel)
        self.main_layout.setSpacing(4)
        self.main_layout.setObjectName(u"main_layout")
        self.main_layout.setContentsMargins(4, 4, 4, 4)
        self.location_label = QLabel(NotebooksPanel)
        self.location_label.setObjectName(u"location_label")
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.main_layout.addWidget(self.location_label)

        self.toolbar_layout = QHBoxLayout()
        self.toolbar_layout.setSpacing(4)
        self.toolbar_layout.setObjectName(u"toolbar_layout")
        self.filter_edit = QLineEdit(NotebooksPanel)
        self.filter_edit.setObjectName(u"filter_edit")
        self.filter_edit.setClearButtonEnabled(True)

        self.toolbar_layout.addWidget(self.filter_edit)

        self.state_combo = QComboBox(NotebooksPanel)
        self.state_combo.addItem("")
        self.state_combo.addItem("")
        self.state_combo.addItem("")
        self.state_combo.addItem("")
        self.state_combo.addItem("")
        self.state_combo.addItem("")
        self.state_combo.setObjectName(u"state_combo")

        self.toolbar_layout.addWidget(self.state_combo)

        self.refresh_button = QPushButton(NotebooksPanel)
        self.refresh_button.setObjectName(u"refresh_button")

        self.toolbar_layout.addWidget(self.refresh_button)

        self.pull_button = QPushButton(NotebooksPanel)
        self.pull_button.setObjectName(u"pull_button")

        self.toolbar_layout.addWidget(self.pull_button)

        self.push_button = QPushButton(NotebooksPanel)
        self.push_button.setObjectName(u"push_button")

        self.toolbar_layout.addWidget(self.push_button)

        self.sync_button = QPushButton(NotebooksPanel)
        self.sync_button.setObjectName(u"sync_button")

        self.toolbar_layout.addWidget(self.sync_button)

        self.cancel_button = QPushButton(NotebooksPanel)
        self.cancel_button.setObjectName(u"cancel_button")
        self.cancel_button.setEnabled(False)

        self.toolbar_layout.addWidget(self.cancel_button)


        self.main_layout.addLayout(self.toolbar_layout)

        self.splitter = QSplitter(NotebooksPanel)
        self.splitter.setObjectName(u"splitter")
        self.splitter.setOrientation(Qt.Orientation.Horizontal)
        self.files_view = QTableView(self.splitter)
        self.files_view.setObjectName(u"files_view")
        self.files_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.files_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.files_view.setAlternatingRowColors(True)
        self.files_view.setShowGrid(False)
        self.files_view.setSortingEnabled(False)
        self.files_view.setWordWrap(False)
        self.splitter.addWidget(self.files_view)
        self.details_tabs = QTabWidget(self.splitter)
        self.details_tabs.setObjectName(u"details_tabs")
        self.history_tab = QWidget()
        self.history_tab.setObjectName(u"history_tab")
        self.history_layout = QVBoxLayout(self.history_tab)
        self.history_layout.setSpacing(4)
        self.history_layout.setObjectName(u"history_layout")
        self.history_table = QTableWidget(self.history_tab)
        if (self.history_table.columnCount() < 5):
            self.history_table.setColumnCount(5)
        __qtablewidgetitem = QTableWidgetItem()
        self.history_table.setHorizontalHeaderItem(0, __qtablewidgetitem)
        __qtablewidgetitem1 = QTableWidgetItem()
        self.history_table.setHorizontalHeaderItem(1, __qtablewidgetitem1)
        __qtablewidgetitem2 = QTableWidgetItem()
        self.history_table.setHorizontalHeaderItem(2, __qtablewidgetitem2)
        __qtablewidgetitem3 = QTableWidgetItem()
        self.history_table.setHorizontalHeaderItem(3, __qtablewidgetitem3)
        __qtablewidgetitem4 = QTableWidgetItem()
        self.history_table.setHorizontalHeaderItem(4, __qtablewidgetitem4)
        self.history_table.setObjectName(u"history_table")
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.history_table.setColumnCount(5)

        self.history_layout.addWidget(self.history_table)

        self.history_buttons = QHBoxLayout()
        self.history_buttons.setObjectName(u"history_buttons")
        self.restore_button = QPushButton(self.history_tab)
        self.restore_button.setObjectName(u"restore_button")
        self.restore_button.setEnabled(False)

        self.history_buttons.addWidget(self.restore_button)

        self.open_button = QPushButton(self.history_tab)
        self.open_button.setObjectName(u"open_button")
        self.open_button.setEnabled(False)

        self.history_buttons.addWidget(self.open_button)


        self.history_layout.addLayout(self.history_buttons)

        self.details_tabs.addTab(self.history_tab, "")
        self.conflict_tab = QWidget()
        self.conflict_tab.setObjectName(u"conflict_tab")
        self.conflict_layout = QVBoxLayout(self.conflict_tab)
        self.conflict_layout.setSpacing(4)
        self.conflict_layout.setObjectName(u"conflict_layout")
        self.conflict_label = QLabel(self.conflict_tab)
        self.conflict_label.setObjectName(u"conflict_label")
        self.conflict_label.setWordWrap(True)

        self.conflict_layout.addWidget(self.conflict_label)

        self.diff_combo = QComboBox(self.conflict_tab)
        self.diff_combo.addItem("")
        self.diff_combo.addItem("")
        self.diff_combo.addItem("")
        self.diff_combo.setObjectName(u"diff_combo")

        self.conflict_layout.addWidget(self.diff_combo)

        self.diff_view = QPlainTextEdit(self.conflict_tab)
        self.diff_view.setObjectName(u"diff_view")
        self.diff_view.setReadOnly(True)
        self.diff_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

        self.conflict_layout.addWidget(self.diff_view)

        self.resolve_buttons = QHBoxLayout()
        self.resolve_buttons.setObjectName(u"resolve_buttons")
        self.mine_button = QPushButton(self.conflict_tab)
        self.mine_button.setObjectName(u"mine_button")
        self.mine_button.setEnabled(False)

        self.resolve_buttons.addWidget(self.mine_button)

        self.theirs_button = QPushButton(self.conflict_tab)
        self.theirs_button.setObjectName(u"theirs_button")
        self.theirs_button.setEnabled(False)

        self.resolve_buttons.addWidget(self.theirs_button)

        self.both_button = QPushButton(self.conflict_tab)
        self.both_button.setObjectName(u"both_button")
        self.both_button.setEnabled(False)

        self.resolve_buttons.addWidget(self.both_button)

        self.merge_button = QPushButton(self.conflict_tab)
        self.merge_button.setObjectName(u"merge_button")
        self.merge_button.setEnabled(False)

        self.resolve_buttons.addWidget(self.merge_button)


        self.conflict_layout.addLayout(self.resolve_buttons)

        self.details_tabs.addTab(self.conflict_tab, "")
        self.splitter.addWidget(self.details_tabs)

        self.main_layout.addWidget(self.splitter)

        self.status_layout = QHBoxLayout()
        self.status_layout.setObjectName(u"status_layout")
        self.status_label = QLabel(NotebooksPanel)
        self.status_label.setObjectName(u"status_label")
        sizePolicy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        sizePolicy.setHorizontalStretch(1)
        sizePolicy.setVerticalStretch(0)
        sizePolicy.setHeightForWidth(self.status_label.sizePolicy().hasHeightForWidth())
        self.status_label.setSizePolicy(sizePolicy)

        self.status_layout.addWidget(self.status_label)

        self.progress_bar = QProgressBar(NotebooksPanel)
        self.progress_bar.setObjectName(u"progress_bar")
        self.progress_bar.setValue(0)
        self.progress_bar.setMaximumSize(QSize(220, 16777215))

        self.status_layout.addWidget(self.progress_bar)


        self.main_layout.addLayout(self.status_layout)

        self.main_layout.setStretch(2, 1)

        self.retranslateUi(NotebooksPanel)

        self.details_tabs.setCurrentIndex(0)


        QMetaObject.connectSlotsByName(NotebooksPanel)
    # setupUi

    def retranslateUi(self, NotebooksPanel):
        NotebooksPanel.setWindowTitle(QCoreApplication.translate("NotebooksPanel", u"Notebooks", None))
        self.location_label.setText(QCoreApplication.translate("NotebooksPanel", u"Local folder \u2194 store", None))
        self.filter_edit.setPlaceholderText(QCoreApplication.translate("NotebooksPanel", u"Filter by path\u2026", None))
        self.state_combo.setItemText(0, QCoreApplication.translate("NotebooksPanel", u"All", None))
        self.state_combo.setItemText(1, QCoreApplication.translate("NotebooksPanel", u"Changed", None))
        self.state_combo.setItemText(2, QCoreApplication.translate("NotebooksPanel", u"Conflicts", None))
        self.state_combo.setItemText(3, QCoreApplication.translate("NotebooksPanel", u"Local changes", None))
        self.state_combo.setItemText(4, QCoreApplication.translate("NotebooksPanel", u"Central changes", None))
        self.state_combo.setItemText(5, QCoreApplication.translate("NotebooksPanel", u"Deleted on one side", None))

#if QT_CONFIG(tooltip)
        self.state_combo.setToolTip(QCoreApplication.translate("NotebooksPanel", u"Show only notebooks in these states", None))
#endif // QT_CONFIG(tooltip)
        self.refresh_button.setText(QCoreApplication.translate("NotebooksPanel", u"Refresh", None))
#if QT_CONFIG(tooltip)
        self.refresh_button.setToolTip(QCoreApplication.translate("NotebooksPanel", u"Compare the local folder with the store again", None))
#endif // QT_CONFIG(tooltip)
        self.pull_button.setText(QCoreApplication.translate("NotebooksPanel", u"Pull", None))
#if QT_CONFIG(tooltip)
        self.pull_button.setToolTip(QCoreApplication.translate("NotebooksPanel", u"Bring central changes into the local folder", None))
#endif // QT_CONFIG(tooltip)
        self.push_button.setText(QCoreApplication.translate("NotebooksPanel", u"Push", None))
#if QT_CONFIG(tooltip)
        self.push_button.setToolTip(QCoreApplication.translate("NotebooksPanel", u"Send local changes to the store", None))
#endif // QT_CONFIG(tooltip)
        self.sync_button.setText(QCoreApplication.translate("NotebooksPanel", u"Sync all", None))
#if QT_CONFIG(tooltip)
        self.sync_button.setToolTip(QCoreApplication.translate("NotebooksPanel", u"Pull, push, and keep both sides of conflicts", None))
#endif // QT_CONFIG(tooltip)
        self.cancel_button.setText(QCoreApplication.translate("NotebooksPanel", u"Cancel", None))
#if QT_CONFIG(tooltip)
        self.cancel_button.setToolTip(QCoreApplication.translate("NotebooksPanel", u"Stop the running operation", None))
#endif // QT_CONFIG(tooltip)
        ___qtablewidgetitem = self.history_table.horizontalHeaderItem(0)
        ___qtablewidgetitem.setText(QCoreApplication.translate("NotebooksPanel", u"Version", None))
        ___qtablewidgetitem1 = self.history_table.horizontalHeaderItem(1)
        ___qtablewidgetitem1.setText(QCoreApplication.translate("NotebooksPanel", u"When", None))
        ___qtablewidgetitem2 = self.history_table.horizontalHeaderItem(2)
        ___qtablewidgetitem2.setText(QCoreApplication.translate("NotebooksPanel", u"Author", None))
        ___qtablewidgetitem3 = self.history_table.horizontalHeaderItem(3)
        ___qtablewidgetitem3.setText(QCoreApplication.translate("NotebooksPanel", u"Kind", None))
        ___qtablewidgetitem4 = self.history_table.horizontalHeaderItem(4)
        ___qtablewidgetitem4.setText(QCoreApplication.translate("NotebooksPanel", u"Size", None))
        self.restore_button.setText(QCoreApplication.translate("NotebooksPanel", u"Restore this version", None))
#if QT_CONFIG(tooltip)
        self.restore_button.setToolTip(QCoreApplication.translate("NotebooksPanel", u"Make the selected version the new central head (nothing is overwritten: it becomes a new version)", None))
#endif // QT_CONFIG(tooltip)
        self.open_button.setText(QCoreApplication.translate("NotebooksPanel", u"Open in Jupyter", None))
#if QT_CONFIG(tooltip)
        self.open_button.setToolTip(QCoreApplication.translate("NotebooksPanel", u"Open the local copy in Jupyter", None))
#endif // QT_CONFIG(tooltip)
        self.details_tabs.setTabText(self.details_tabs.indexOf(self.history_tab), QCoreApplication.translate("NotebooksPanel", u"History", None))
        self.conflict_label.setText(QCoreApplication.translate("NotebooksPanel", u"Select a notebook in conflict.", None))
        self.diff_combo.setItemText(0, QCoreApplication.translate("NotebooksPanel", u"Base \u2192 central", None))
        self.diff_combo.setItemText(1, QCoreApplication.translate("NotebooksPanel", u"Base \u2192 local", None))
        self.diff_combo.setItemText(2, QCoreApplication.translate("NotebooksPanel", u"Local \u2192 central", None))

        self.mine_button.setText(QCoreApplication.translate("NotebooksPanel", u"Keep mine", None))
#if QT_CONFIG(tooltip)
        self.mine_button.setToolTip(QCoreApplication.translate("NotebooksPanel", u"Your local content becomes the new central version", None))
#endif // QT_CONFIG(tooltip)
        self.theirs_button.setText(QCoreApplication.translate("NotebooksPanel", u"Keep theirs", None))
#if QT_CONFIG(tooltip)
        self.theirs_button.setToolTip(QCoreApplication.translate("NotebooksPanel", u"The central content replaces your local file (yours stays in the history)", None))
#endif // QT_CONFIG(tooltip)
        self.both_button.setText(QCoreApplication.translate("NotebooksPanel", u"Keep both", None))
#if QT_CONFIG(tooltip)
        self.both_button.setToolTip(QCoreApplication.translate("NotebooksPanel", u"Central under the original name, yours beside it under a conflict name", None))
#endif // QT_CONFIG(tooltip)
        self.merge_button.setText(QCoreApplication.translate("NotebooksPanel", u"Merge (nbdime)", None))
#if QT_CONFIG(tooltip)
        self.merge_button.setToolTip(QCoreApplication.translate("NotebooksPanel", u"Three-way merge from the version both sides last agreed on", None))
#endif // QT_CONFIG(tooltip)
        self.details_tabs.setTabText(self.details_tabs.indexOf(self.conflict_tab), QCoreApplication.translate("NotebooksPanel", u"Conflict", None))
        self.status_label.setText("")
    # retranslateUi

